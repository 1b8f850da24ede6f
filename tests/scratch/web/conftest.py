"""Shared pieces of the web widget tests: Svelte v1 components written for them, and skips.

Compiling needs Node.js and svelte-cli 1.5.0 (``.ci/install-node-deps``); the browser test
needs Debian's Chromium and playwright (``.ci/install-browser-deps``). Without them those
tests skip, saying what to install, except under ``LUCID_REQUIRE_ALL_TESTS=1`` (``.ci/run``),
where they fail: CI must not pass by skipping them.
"""

import os
import sys

import pytest

PYTHON = sys.executable
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

# The Svelte v1 syntax that Lucid's Building Blocks components use: {{expr}}, {{#each}} with
# an index, {{#if}}, attribute interpolation, ref:canvas, on:click, on:mouseover, data(),
# computed, helpers, and the oncreate lifecycle hook.
COUNTER_COMPONENT = """\
<div class="counter">
  <h3>{{title}}</h3>
  <ul>
    {{#each items as item, i}}
      <li class="item" data-index="{{i}}" style="width: {{item.value * 10}}px;"
          on:mouseover="set({hovered: i})">{{item.name}}={{format(item.value)}}</li>
    {{/each}}
  </ul>
  <p class="total">total {{total}}</p>
  {{#if hovered !== null}}<p class="hovered">hovered {{hovered}}</p>{{/if}}
  {{#if clicks > 0}}<p class="clicks">clicked {{clicks}} times</p>{{/if}}
  <button on:click="set({clicks: clicks + 1})">more</button>
  <canvas ref:canvas width="2" height="2"></canvas>
</div>
<script>
  export default {
    data() {
      return {title: "untitled", items: [], clicks: 0, hovered: null};
    },
    helpers: {
      format: value => String(value)
    },
    computed: {
      total: items => items.reduce((sum, item) => sum + item.value, 0)
    },
    oncreate() {
      const context = this.refs.canvas.getContext("2d");
      context.fillStyle = "rgb(255, 0, 0)";
      context.fillRect(0, 0, 2, 2);
    }
  };
</script>
"""

# Unclosed {{#each}}: svelte-cli says "</p> attempted to close an element that was not open".
BROKEN_COMPONENT = "<p>{{#each xs as x}}{{x}}</p>\n"

# A hand-written stand-in for a compiled component: `new Hello({target, data})` writes
# the text below. The literal $name, $data and $id must survive into the page (Lucid's
# sequential str.replace substituted them).
HELLO_JS = """\
var Hello = (function () {
  function Hello(options) {
    options.target.textContent = "$name $data $id " + options.data.message;
  }
  return Hello;
}());
"""


def skip_or_fail(reason, install):
    """Skips the calling test, or fails it under ``LUCID_REQUIRE_ALL_TESTS=1``."""
    if os.environ.get("LUCID_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(f"{reason} (LUCID_REQUIRE_ALL_TESTS=1: run {install})")
    pytest.skip(reason)


def require_svelte_compiler():
    """The path of svelte-cli, else :func:`skip_or_fail` with the reason."""
    from lucid.scratch.web import svelte

    try:
        return svelte.find_svelte_compiler()
    except svelte.SvelteCompilerNotFoundError as error:
        skip_or_fail(str(error), ".ci/install-node-deps")


def subprocess_env(tmp_path, **overrides):
    """The environment for a child Python: the repo importable, IPython's files in tmp."""
    env = dict(os.environ, PYTHONPATH=REPO, IPYTHONDIR=str(tmp_path / "ipython"))
    env.update(overrides)
    return env


@pytest.fixture
def hello_js(tmp_path):
    path = tmp_path / "Hello.js"
    path.write_text(HELLO_JS)
    return str(path)


@pytest.fixture(scope="module")
def counter(tmp_path_factory):
    """The compiled Counter component (a `SvelteComponent`); skips without the compiler."""
    require_svelte_compiler()
    from lucid.scratch.web import svelte

    path = tmp_path_factory.mktemp("counter") / "Counter.html"
    path.write_text(COUNTER_COMPONENT)
    return svelte.SvelteComponent("Counter", str(path))


@pytest.fixture
def displayed(monkeypatch):
    """The objects passed to ``IPython.display.display`` during the test, in order."""
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: shown.extend(objs))
    return shown
