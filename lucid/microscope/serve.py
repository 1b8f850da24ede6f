"""Serve an atlas directory over HTTP: ``lucid microscope serve DIR`` (127.0.0.1 by default).

A small static file server (``http.server``) for looking at an atlas in a browser; the
pages also work opened straight from disk (``file://``). It binds the loopback interface
unless told otherwise, lists no directories, and serves nothing outside ``DIR``.
"""

import errno
import functools
import http.server
import logging
import os
import socket
import sys

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files of one directory; no directory listings; quiet unless asked."""

    def list_directory(self, path):
        self.send_error(404, "No index.html here")
        return None

    def log_message(self, format, *args):
        log.debug("%s - %s", self.address_string(), format % args)


class _IPv6Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


def make_server(directory: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT):
    """A ``ThreadingHTTPServer`` serving ``directory`` (not started); port 0 picks a free one.

    Raises:
      ValueError: ``directory`` is not a directory.
      OSError: the address can't be bound; the message names the host and port (e.g. one
        already in use) and what to do.
    """
    if not os.path.isdir(directory):
        raise ValueError(
            f"{directory!r} is not a directory; give the --out directory of "
            "'lucid microscope build'."
        )
    handler = functools.partial(_Handler, directory=os.path.abspath(directory))
    server_class = _IPv6Server if ":" in host else http.server.ThreadingHTTPServer
    try:
        return server_class((host, port), handler)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            problem = f"port {port} on {host} is already in use (another server is running there)"
        else:
            problem = f"can't listen on {host} port {port} ({e.strerror or e})"
        error = OSError(
            f"{problem}; choose another port, e.g. --port {port + 1 if port else 8000}, or "
            "--port 0 for any free one."
        )
        error.errno = e.errno  # kept for callers; the message alone reads without "[Errno]"
        raise error from None


def serve(directory: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Serves ``directory`` until interrupted (Ctrl-C); prints the URL first. Returns 0."""
    server = make_server(directory, host, port)
    bound_host, bound_port = server.server_address[:2]
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    if not os.path.isfile(os.path.join(directory, "index.html")):
        print(f"warning: {directory} has no index.html yet; build an atlas into it first.")
    print(f"Serving {directory} at http://{shown_host}:{bound_port}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.stdout.flush()
    return 0
