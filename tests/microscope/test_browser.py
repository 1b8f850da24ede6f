"""A person's visit: headless Chromium clicks model -> layer -> unit, served and from file://.

Builds a small atlas (ShapesNet with the built-in shapes as dataset) whose label of unit 1 of
``logits``
is ``<img src=x onerror=alert(1)>``, then checks that every image loads and that label
shows as literal text, with no dialog fired. Needs Debian's chromium and the playwright
Python package (``.ci/install-browser-deps``); skipped with the reason if either is missing.
"""

import os
import re
import subprocess
import sys

import pytest

from lucid.microscope import build
from lucid.microscope.jobs import RenderSettings
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

    return ShapesNet(), ["conv1", "logits"], "builtin:shapes:32"


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


@pytest.fixture(scope="module")
def server_url(evil_atlas):
    command = [sys.executable, "-m", "lucid", "microscope", "serve", evil_atlas[0], "--port", "0"]
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
