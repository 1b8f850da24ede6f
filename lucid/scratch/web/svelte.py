"""Svelte widgets in Jupyter and Colab, as Lucid's Building Blocks notebooks use them.

Usage (a notebook; the component body uses Svelte **v1** syntax)::

    import lucid.scratch.web.svelte as lucid_svelte

    %%html_define_svelte BarsWidget
    <div>{{#each vals as v}}<span>{{v}}</span>{{/each}}</div>

    lucid_svelte.BarsWidget({"vals": [0.1, 0.7, 0.3]})

How it works:

1. The cell magic ``%%html_define_svelte Name`` writes the cell to ``<id>.html`` in a
   temporary directory (made on first use), where ``<id> = js_id(Name)`` is a fresh JavaScript
   identifier, and compiles it with the real Svelte compiler into ``<id>.js``: an IIFE that
   declares ``var <id> = (function () {...})()``, the component's constructor.
2. The component is registered under ``Name`` in this module, so ``lucid_svelte.Name`` finds
   it (a module ``__getattr__`` over the registry; an unknown name lists the defined ones).
3. ``lucid_svelte.Name(data)`` displays a ``<div>`` with a fresh id and a ``<script>`` that
   inlines the compiled JS and runs ``new <id>({target: <the div>, data: <data as JSON>})``.
   ``data`` must be JSON data (NumPy arrays and scalars are converted); it is escaped so a
   ``"</script>"`` in a string cannot break the page.

Compiler: ``svelte-cli@1.5.0`` (Svelte 1.64.1, the last compiler for the ``{{expr}}`` syntax),
run by Node.js. Install with ``apt-get install nodejs npm && npm install -g svelte-cli@1.5.0``
(what ``.ci/install-node-deps`` does). The ``svelte`` executable is looked up on ``PATH``;
the environment variable ``LUCID_SVELTE_CLI`` overrides it with a path. A precompiled ``.js``
(``SvelteComponent(name, "x.js")``) needs no Node. Widgets need a frontend that runs the
``<script>`` of HTML output (Colab; Jupyter with a trusted notebook).

Differences from Lucid: a compile error or a missing compiler raises (Lucid displayed a blank
widget); the magic registers only when IPython is running, so importing this module in a
plain script works; ``%load_ext lucid.scratch.web.svelte`` registers it too.
"""

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from lucid.misc.io.reading import read
from lucid.scratch.web.embed import display_html
from lucid.scratch.web.embed import js_identifier
from lucid.scratch.web.embed import script_js
from lucid.scratch.web.embed import script_json
from lucid.scratch.web.embed import unique_id

log = logging.getLogger(__name__)

SVELTE_CLI_ENV = "LUCID_SVELTE_CLI"
SVELTE_CLI_PACKAGE = "svelte-cli@1.5.0"
INSTALL_COMMAND = f"apt-get install nodejs npm && npm install -g {SVELTE_CLI_PACKAGE}"
COMPILE_TIMEOUT_S = 120
# What svelte-cli prints besides a compile error: its version and progress lines.
_COMPILER_CHATTER = ("svelte version ", "compiling ", "wrote ")

_components: Dict[str, "SvelteComponent"] = {}
_component_dir: Optional[str] = None


class SvelteCompilerNotFoundError(RuntimeError):
    """Node.js or the Svelte compiler is not installed (or ``LUCID_SVELTE_CLI`` is wrong)."""


class SvelteCompileError(RuntimeError):
    """The Svelte compiler rejected a component; the message holds the compiler's output."""


def js_id(name: str) -> str:
    """A fresh JavaScript identifier for ``name``: ``name`` made an identifier, ``_``, a UUID.

    Any character that is not ASCII ``[A-Za-z0-9_]`` becomes ``_`` (Lucid only replaced the
    UUID's ``-``, so ``js_id("my-widget")`` was invalid JavaScript).
    """
    return unique_id(name)


def find_svelte_compiler() -> str:
    """The path of the ``svelte`` executable (svelte-cli) that compiles components.

    ``$LUCID_SVELTE_CLI`` if set, else ``svelte`` on ``PATH`` (then ``node`` must be on
    ``PATH`` too: svelte-cli is a Node script).

    Raises:
      SvelteCompilerNotFoundError: the compiler or Node.js is missing; says how to install.
    """
    override = os.environ.get(SVELTE_CLI_ENV)
    if override:
        if not (os.path.isfile(override) and os.access(override, os.X_OK)):
            raise SvelteCompilerNotFoundError(
                f"{SVELTE_CLI_ENV}={override!r} is not an executable file; point it at "
                f"svelte-cli's `svelte` executable or unset it ({INSTALL_COMMAND})."
            )
        return os.path.abspath(override)
    compiler = shutil.which("svelte")
    if compiler is None:
        raise SvelteCompilerNotFoundError(
            "The Svelte compiler (svelte-cli's `svelte`) is not on PATH; install Node.js and "
            f"it with: {INSTALL_COMMAND} (or set {SVELTE_CLI_ENV} to its path)."
        )
    if shutil.which("node") is None:
        raise SvelteCompilerNotFoundError(
            f"Node.js (`node`) is not on PATH, and the Svelte compiler {compiler} needs it; "
            f"install it with: {INSTALL_COMMAND}."
        )
    return os.path.abspath(compiler)


def build_svelte(html_fname: str, js_name: Optional[str] = None) -> str:
    """Compiles the Svelte v1 component ``html_fname`` to a ``.js`` file beside it.

    Args:
      html_fname: local path of the component (``.html``).
      js_name: the global the compiled IIFE declares (``var <js_name> = ...``); defaults to
        the file's stem made a JavaScript identifier.

    Returns:
      The path of the compiled JavaScript: ``html_fname`` with its extension made ``.js``.

    Raises:
      FileNotFoundError: ``html_fname`` does not exist.
      SvelteCompilerNotFoundError: Node.js or the compiler is missing.
      SvelteCompileError: the compiler rejected the component (its message is included) or
        ran past ``COMPILE_TIMEOUT_S`` seconds.
    """
    if not os.path.isfile(html_fname):
        raise FileNotFoundError(f"Svelte component {html_fname!r} does not exist (a local file).")
    stem = os.path.splitext(html_fname)[0]
    js_fname = stem + ".js"
    js_name = js_name or js_identifier(os.path.basename(stem))
    # Run in the component's directory: the compiler writes the input path into its output.
    directory, html_base = os.path.split(os.path.abspath(html_fname))
    command = [
        find_svelte_compiler(), "compile", "--format", "iife", "--name", js_name,
        "--output", os.path.splitext(html_base)[0] + ".js", html_base,
    ]  # fmt: skip
    if os.path.exists(js_fname):
        os.remove(js_fname)  # a failed compile must not leave an older build in its place
    log.info("Compiling Svelte component %s", html_fname)
    try:
        result = subprocess.run(
            command, cwd=directory, capture_output=True, encoding="utf-8", errors="replace",
            timeout=COMPILE_TIMEOUT_S, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as error:
        raise SvelteCompileError(
            f"The Svelte compiler ran past {COMPILE_TIMEOUT_S} s on {html_fname} and was stopped."
        ) from error
    if result.returncode != 0 or not os.path.isfile(js_fname):
        raise SvelteCompileError(
            f"Svelte could not compile {html_fname} (exit status {result.returncode}):\n"
            + _compiler_message(result.stdout + result.stderr)
        )
    return js_fname


def _compiler_message(output: str) -> str:
    """The compiler's error from its ``output``, plus a hint when it is not Svelte 1."""
    lines = output.strip().splitlines()
    message = "\n".join(line for line in lines if not line.startswith(_COMPILER_CHATTER))
    versions = [line for line in lines if line.startswith("svelte version ")]
    if versions and not versions[0].startswith("svelte version 1."):
        message += (
            f"\n(This compiler is {versions[0]}; components in Lucid's {{{{expr}}}} syntax "
            f"need Svelte 1: npm install -g {SVELTE_CLI_PACKAGE})"
        )
    return message


class SvelteComponent:
    """A compiled Svelte component; calling it with data displays the widget.

    Args:
      name: the JavaScript global that the compiled code declares and the widget
        instantiates. For an ``.html`` path it is made an identifier and the component is
        compiled under it; for a precompiled ``.js`` it must be the name that file declares.
      path: a Svelte v1 component ``.html`` (compiled now, needs Node) or its compiled IIFE
        ``.js`` (read with `lucid.misc.io.reading.read`, so a URL works; needs no Node).

    Raises:
      ValueError: ``path`` ends in neither ``.html`` nor ``.js``, or ``name`` is not a
        JavaScript identifier for a ``.js`` path.
      FileNotFoundError, SvelteCompilerNotFoundError, SvelteCompileError: see `build_svelte`.
    """

    def __init__(self, name: str, path: str):
        if path.endswith(".html"):
            name = js_identifier(name)
            self.js_path = build_svelte(path, js_name=name)
        elif path.endswith(".js"):
            if js_identifier(name) != name:
                raise ValueError(
                    f"name {name!r} is not a JavaScript identifier; pass the global that "
                    f"{path} declares (`var <name> = ...`)."
                )
            self.js_path = path
        else:
            raise ValueError(
                f"path {path!r} must end in '.html' (a Svelte component to compile) or '.js' "
                "(one compiled with `svelte compile --format iife`)."
            )
        self.name = name
        self.js = read(self.js_path, mode="r")

    def to_html(self, data: Any) -> str:
        """The widget's HTML: a ``<div>`` and a ``<script>`` that mounts the component in it.

        Args:
          data: the component's initial data (Svelte v1's ``data`` option): a dict of JSON
            data; NumPy arrays and scalars are converted.

        Raises:
          TypeError: ``data`` holds something that is not JSON data (the path is named).
        """
        data_js = script_json(data)
        div_id = unique_id(self.name)
        return (
            f'<div id="{div_id}"></div>\n<script>\n(function () {{\n{script_js(self.js)}\n'
            f'var target = document.getElementById("{div_id}");\n'
            f"new {self.name}({{target: target, data: {data_js}}});\n}})();\n</script>"
        )

    def __call__(self, data: Any) -> None:
        """Displays the widget with ``data`` (see `to_html`) in the notebook."""
        display_html(self.to_html(data))

    def __repr__(self) -> str:
        return f"SvelteComponent({self.name!r}, {self.js_path!r})"


def define_component(name: str, source: str) -> SvelteComponent:
    """Compiles the Svelte v1 ``source`` and registers it as ``lucid_svelte.<name>``.

    What ``%%html_define_svelte name`` does with its cell.

    Raises:
      ValueError: ``name`` is empty or is already a name in this module (e.g. ``js_id``).
      SvelteCompilerNotFoundError, SvelteCompileError: see `build_svelte`.
    """
    if not name or name in globals():
        raise ValueError(
            f"Svelte component name {name!r} is empty or taken by {__name__} itself; "
            "choose another name, e.g. MyWidget."
        )
    component_id = js_id(name)
    html_path = os.path.join(_components_dir(), component_id + ".html")
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(source)
    component = SvelteComponent(component_id, html_path)
    _components[name] = component
    return component


def _components_dir() -> str:
    """The temporary directory for compiled components, made on first use."""
    global _component_dir
    if _component_dir is None:
        _component_dir = tempfile.mkdtemp(prefix="lucid_svelte_")
    return _component_dir


def defined_components() -> List[str]:
    """The names of the components defined so far, sorted."""
    return sorted(_components)


def html_define_svelte(line: str, cell: str) -> None:
    """The ``%%html_define_svelte Name`` cell magic: `define_component` (Name, the cell)."""
    words = line.split()
    if not words:
        raise ValueError(
            "%%html_define_svelte needs a component name: `%%html_define_svelte MyWidget` on "
            "the first line, the Svelte component below it."
        )
    define_component(words[0], cell)


def load_ipython_extension(ipython) -> None:
    """Registers ``%%html_define_svelte`` (``%load_ext lucid.scratch.web.svelte``)."""
    ipython.register_magic_function(html_define_svelte, "cell", "html_define_svelte")


def __getattr__(name: str) -> SvelteComponent:
    try:
        return _components[name]
    except KeyError:
        defined = ", ".join(defined_components()) or "none"
        raise AttributeError(
            f"module {__name__!r} has no attribute or Svelte component {name!r}; defined "
            f"components: {defined}. Define it with `%%html_define_svelte {name}`."
        ) from None


def _register_in_running_ipython() -> None:
    """Registers the magic if an IPython shell is running (IPython is never imported here)."""
    ipython_module = sys.modules.get("IPython")
    shell = ipython_module.get_ipython() if ipython_module is not None else None
    if shell is not None:
        load_ipython_extension(shell)


_register_in_running_ipython()
