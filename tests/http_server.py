"""A local HTTP file server with fault injection, for offline tests of remote reads.

Use it through the ``http_server`` pytest fixture (tests/conftest.py), or directly::

    with FaultyHTTPServer(tmp_path) as server:
        (server.root / "models" / "a.pb").parent.mkdir(parents=True)
        (server.root / "models" / "a.pb").write_bytes(b"...")
        server.url                                   # "http://127.0.0.1:<port>/"
        server.fault("/models/a.pb", "status", code=500, times=2)  # 500 twice, then the file
        ...
        server.requests("/models/a.pb")              # GET requests seen for that path

It serves the files under ``root`` (GET and HEAD) on 127.0.0.1 at a free port, one thread
per request. Paths given to ``fault`` and ``requests`` are URL paths; a leading ``/`` is
optional, query strings are ignored.

Fault kinds (``server.fault(path, kind, times=None, **params)``; ``times`` limits the fault
to the first ``times`` requests of that path, after which the file is served normally;
``times=None`` means every request):

* ``"truncate"``: sends the full ``Content-Length`` but only the first ``keep`` bytes
  (default: half the file), then closes the connection.
* ``"corrupt"``: sends the right length but wrong bytes (every byte XOR 0xFF).
* ``"status"``: answers HTTP ``code`` (default 500) with a short body instead of the file;
  ``code=404`` with ``times=None`` makes the file permanently missing.
* ``"delay"``: waits ``seconds`` (default 5) before answering, to trigger client timeouts
  (the wait is cut short when the server stops).

``server.clear_faults()`` removes all faults; ``server.reset_requests()`` zeroes the counts.
"""

import collections
import http.server
import pathlib
import threading
from urllib.parse import unquote
from urllib.parse import urlparse

FAULT_KINDS = ("truncate", "corrupt", "status", "delay")


class _Fault:
    def __init__(self, kind, times, params):
        self.kind = kind
        self.remaining = times
        self.params = params


class FaultyHTTPServer:
    """Serves a directory over HTTP on 127.0.0.1 with per-path fault injection.

    Attributes:
      root: `pathlib.Path` of the served directory (put test files here).
      url: base URL with a trailing slash, e.g. ``"http://127.0.0.1:40123/"``.
    """

    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._faults = {}
        self._counts = collections.Counter()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/"
        self._thread = None

    # Public API

    def fault(self, path, kind, times=None, **params):
        """Injects a fault for `path` (see the module docstring for kinds and params)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind={kind!r} is not a fault kind; use one of {FAULT_KINDS}.")
        with self._lock:
            self._faults[self._key(path)] = _Fault(kind, times, params)

    def clear_faults(self):
        with self._lock:
            self._faults.clear()

    def requests(self, path):
        """Number of GET/HEAD requests received for `path` so far."""
        with self._lock:
            return self._counts[self._key(path)]

    def reset_requests(self):
        with self._lock:
            self._counts.clear()

    def start(self):
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # Internals

    @staticmethod
    def _key(path):
        return "/" + unquote(urlparse(path).path).lstrip("/")

    def _take_fault(self, key):
        """Counts the request and returns the fault to apply to it, if any."""
        with self._lock:
            self._counts[key] += 1
            fault = self._faults.get(key)
            if fault is None or fault.remaining == 0:
                return None
            if fault.remaining is not None:
                fault.remaining -= 1
            return fault

    def _handler_class(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self._respond(send_body=True)

            def do_HEAD(self):
                self._respond(send_body=False)

            def _respond(self, send_body):
                key = server._key(self.path)
                fault = server._take_fault(key)
                if fault is not None and fault.kind == "delay":
                    if server._stopping.wait(fault.params.get("seconds", 5)):
                        return
                if fault is not None and fault.kind == "status":
                    return self._send_status(fault.params.get("code", 500))
                path = (server.root / key.lstrip("/")).resolve()
                if server.root.resolve() not in path.parents or not path.is_file():
                    return self._send_status(404)
                data = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if not send_body:
                    return
                if fault is not None and fault.kind == "corrupt":
                    data = bytes(b ^ 0xFF for b in data)
                if fault is not None and fault.kind == "truncate":
                    data = data[: fault.params.get("keep", len(data) // 2)]
                    self.close_connection = True
                try:
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (e.g. after a timeout)

            def _send_status(self, code):
                body = f"HTTP {code} from the test server\n".encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, format, *args):
                pass  # keep test output clean

        return Handler
