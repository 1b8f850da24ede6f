"""A person's visit: headless Chromium clicks model -> layer -> unit, served and from file://.

Builds a small atlas (ShapesNet with the built-in shapes as dataset) whose label of unit 1 of
``logits`` is ``<img src=x onerror=alert(1)>``, then checks that every image loads and that
label shows as literal text, with no dialog fired. On the hand-written atlas of every result
kind (``conftest.write_fake_atlas``, hostile names and labels) it types into the search box
and follows results from pages at every depth, clicks architecture-diagram nodes and
upstream-weight links, and checks that no label ever becomes markup. Needs Debian's chromium
and the playwright Python package (``.ci/install-browser-deps``); skipped with the reason if
either is missing.
"""

import os
import re
import subprocess
import sys

import pytest

from lucid.microscope import build
from lucid.microscope.jobs import RenderSettings
from tests.microscope.conftest import SCRIPT_LABEL
from tests.microscope.conftest import import_or_skip
from tests.microscope.conftest import skip_or_fail

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
EVIL_LABEL = "<img src=x onerror=alert(1)>"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.slow  # a browser and a build: about a minute

if not os.path.exists(CHROMIUM):
    skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
sync_api = import_or_skip("playwright.sync_api", "pip install playwright")


def _atlas_model():
    """``(model, layers, images)``: ShapesNet, with the built-in shapes as its dataset."""
    from lucid.modelzoo.vision_models import ShapesNet

    return ShapesNet(), ["conv1", "conv2", "logits"], "builtin:shapes:32"


@pytest.fixture(scope="module")
def evil_atlas(tmp_path_factory):
    model, layers, images = _atlas_model()
    labels = list(model.labels)
    labels[1] = EVIL_LABEL
    model._labels = labels  # the label text as a hostile model file could carry it
    out_dir = str(tmp_path_factory.mktemp("atlas"))
    settings = RenderSettings(steps=4, size=32, diverse=2)
    build.build(
        model, out_dir, layers=layers, units=[0, 1], images=images, settings=settings,
        examples=2, batch_size=4, progress=False,
    )  # fmt: skip
    return out_dir, model.name, layers


def _serve(directory):
    """Runs ``lucid microscope serve directory`` on a free port; yields its URL."""
    command = [sys.executable, "-m", "lucid", "microscope", "serve", directory, "--port", "0"]
    env = dict(os.environ, PYTHONPATH=REPO)
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert match, f"unexpected first line from serve: {line!r}"
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()


@pytest.fixture(scope="module")
def server_url(evil_atlas):
    yield from _serve(evil_atlas[0])


@pytest.fixture(scope="module", params=["file", "served"])
def fake_base(request, fake_atlas):
    """The URL of the fake atlas's directory (ending in /), from disk or over ``serve``."""
    if request.param == "file":
        yield "file://" + fake_atlas[0] + "/"
    else:
        yield from _serve(fake_atlas[0])


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _visit(browser, start_url, model_name, layers):
    """Clicks index -> model -> layer -> unit 1 of logits; checks images and the label."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs, failures = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("requestfailed", lambda request: failures.append(request.url))
    page.on("response", lambda r: failures.append(r.url) if r.status >= 400 else None)
    try:
        page.goto(start_url)
        assert page.title() == "Lucid Microscope"
        page.get_by_role("link", name=model_name, exact=True).click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == model_name
        _check_images(page)
        page.get_by_role("link", name="logits", exact=True).click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "logits"
        _check_images(page)
        unit_link = page.locator("a.unit", has_text=f"unit 1: {EVIL_LABEL}")
        assert unit_link.count() == 1
        unit_link.click()
        page.wait_for_load_state()
        assert page.url.endswith("/logits/unit-0001.html")
        assert page.locator(".label-text").inner_text() == EVIL_LABEL  # literal text
        _check_images(page)
        assert page.locator('img[src="x"]').count() == 0  # the label made no element
        assert page.locator("section.channel img").count() == 1
        assert page.locator("section.diverse img").count() == 2
        assert page.locator("section.examples img").count() == 2
        # Back up to the spatial layer through the breadcrumbs; its unit pages have a neuron.
        page.locator("nav.crumbs a", has_text=model_name).click()
        page.get_by_role("link", name=layers[0], exact=True).click()
        page.locator("a.unit", has_text="unit 0").click()
        page.wait_for_load_state()
        assert page.locator("section.neuron img").count() == 1
        _check_images(page)
    finally:
        page.close()
    assert dialogs == []
    assert failures == []


def _check_images(page):
    """Scrolls every (lazy) image into view and waits until all have loaded with a size."""
    images = page.locator("img")
    assert images.count() > 0
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)", timeout=15000
    )
    assert page.evaluate("() => [...document.images].every(i => i.loading === 'lazy')")


def test_served_atlas_in_chromium(browser, server_url, evil_atlas):
    _visit(browser, server_url, evil_atlas[1], evil_atlas[2])


def test_atlas_from_file_url_in_chromium(browser, evil_atlas):
    start = "file://" + os.path.join(evil_atlas[0], "index.html")
    _visit(browser, start, evil_atlas[1], evil_atlas[2])


class _Watch:
    """A page that records dialogs and failed loads; both must stay empty."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.dialogs, self.failures = [], []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", lambda r: self.failures.append(r.url) if r.status >= 400 else None)

    def _failed(self, request):
        # Leaving a page cancels its pending (lazy) image loads; those are no failures.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.failures.append(request.url)

    def __enter__(self):
        return self.page

    def __exit__(self, *exc_info):
        self.page.close()
        if exc_info[0] is None:
            assert self.dialogs == [] and self.failures == []


def _search(page, query):
    """Types ``query`` into the search box; returns the result links' locator."""
    page.fill("input.search-input", query)
    page.wait_for_selector("ol.search-results:not([hidden])")
    return page.locator("ol.search-results a.search-result")


def _follow(page, locator):
    locator.click()
    page.wait_for_load_state()


def test_search_finds_units_from_any_depth(browser, fake_base, fake_atlas):
    _, model_dir, info = fake_atlas
    first_dir, last_dir = info["layers"][1]["dir"], info["layers"][-1]["dir"]
    with _Watch(browser) as page:
        page.goto(fake_base + "index.html")  # depth 0: a label word of the logits
        results = _search(page, "cat")
        assert results.first.locator(".search-title").inner_text() == "logits unit 0: cat"
        _follow(page, results.first)
        assert page.url == f"{fake_base}{model_dir}/{last_dir}/unit-0000.html"
        page.goto(f"{fake_base}{model_dir}/index.html")  # depth 1
        _follow(page, _search(page, "cat").first)
        assert page.url == f"{fake_base}{model_dir}/{last_dir}/unit-0000.html"
        results = _search(page, "a_b:2")  # depth 2: layer and unit index
        assert results.count() == 1
        _follow(page, results.first)
        assert page.url.endswith("/a_b/unit-0002.html")
        assert page.locator("h1").inner_text() == "a_b unit 2"
        page.goto(f"{fake_base}{model_dir}/images/image-000.html")  # a dataset caption
        results = _search(page, "red circle")
        assert results.count() == len(info["layers"])
        _follow(page, results.nth(1))
        assert page.url == f"{fake_base}{model_dir}/{first_dir}/unit-0001.html"
        # Hostile labels and captions come back as text, never as markup.
        results = _search(page, "onerror")
        titles = results.locator(".search-title").all_inner_texts()
        assert "logits unit 2: dog & <b>bird</b> " + SCRIPT_LABEL in titles
        details = " ".join(results.locator(".search-details").all_inner_texts())
        assert SCRIPT_LABEL in details and "Evil<Net>" in details
        assert page.locator('img[src="x"]').count() == 0
        assert _search(page, "nothing-like-this").first.count() == 0
        assert page.locator(".search-none").inner_text() == "No matches."
        page.press("input.search-input", "Escape")
        assert page.locator("ol.search-results").is_hidden()


def test_diagram_and_upstream_links(browser, fake_base, fake_atlas):
    _, model_dir, info = fake_atlas
    first, second = info["layers"][0], info["layers"][1]
    with _Watch(browser) as page:
        page.goto(f"{fake_base}{model_dir}/index.html")
        _follow(page, page.locator(f'.diagram svg a[href="{second["dir"]}/index.html"]'))
        assert page.url == f"{fake_base}{model_dir}/{second['dir']}/index.html"
        assert page.locator("h1").inner_text() == second["name"]
        _follow(page, page.locator("a.unit", has_text="unit 0").first)
        weights = page.locator("section.upstream li")
        assert weights.locator(".weight").all_inner_texts() == ["+0.5", "-0.25", "+0.125"]
        assert weights.nth(2).locator("a").count() == 0  # unit 7 is not rendered
        _follow(page, weights.nth(1).locator("a.unit"))
        assert page.url == f"{fake_base}{model_dir}/{first['dir']}/unit-0002.html"
        assert page.locator(".no-weights").inner_text() == "no direct weights: first conv layer"
        _check_images(page)
        _follow(page, page.locator("a.badge", has_text="stability"))
        assert page.url == f"{fake_base}help.html#score-stability"


@pytest.mark.parametrize("served", [False, True], ids=["file", "served"])
def test_built_atlas_search_diagram_and_weights(browser, evil_atlas, server_url, served):
    """The same three paths through a real build: its own diagram, weights and index."""
    out_dir, model_name, _ = evil_atlas
    base = server_url if served else "file://" + out_dir + "/"
    with _Watch(browser) as page:
        page.goto(f"{base}{model_name}/index.html")
        _follow(page, page.locator('.diagram svg a[href="conv2/index.html"]'))
        assert page.url == f"{base}{model_name}/conv2/index.html"
        _follow(page, page.locator("a.unit", has_text="unit 0"))
        _check_images(page)  # the tuning chart, the thumbnails of upstream units among them
        linked = page.locator("section.upstream a.unit")
        assert (
            linked.count() == 1
        )  # of conv2 unit 0's top 8 upstream units, conv1 unit 1 is rendered
        _follow(page, linked.first)
        assert page.url == f"{base}{model_name}/conv1/unit-0001.html"
        assert page.locator(".no-weights").count() == 1  # the first conv layer says so
        results = _search(page, "vertical")  # a label word of the logits (class names)
        assert (
            results.first.locator(".search-title").inner_text() == "logits unit 0: vertical_stripes"
        )
        _follow(page, results.first)
        assert page.url == f"{base}{model_name}/logits/unit-0000.html"


def test_screenshot_of_a_unit_page(tmp_path, fake_atlas):
    """``python -m lucid.microscope.screenshot`` (its own browser: a subprocess, as the lead runs it)."""
    import numpy as np
    from PIL import Image

    out_dir, model_dir, info = fake_atlas
    page = os.path.join(out_dir, model_dir, info["layers"][1]["dir"], "unit-0000.html")
    out = str(tmp_path / "unit.png")
    command = [sys.executable, "-m", "lucid.microscope.screenshot", page, out]
    env = dict(os.environ, PYTHONPATH=REPO)
    run = subprocess.run(
        [*command, "--width", "900", "--height", "700"], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    with Image.open(out) as image:
        assert image.size == (900, 700)
        assert len(np.unique(np.asarray(image.convert("L")))) > 20  # a page, not a blank
    command[-2] = str(tmp_path / "missing.html")
    run = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "is not a file" in run.stderr
