"""Svelte widgets in headless Chromium: the HTML a component call displays renders its data.

Three widgets on one page, as three notebook outputs would be: two of the compiled Counter
(its {{#each}} list, computed total, on:click and a canvas drawn through ref:canvas) and the
hand-written Hello. Needs Debian's chromium and playwright (``.ci/install-browser-deps``) and
the Svelte compiler (``.ci/install-node-deps``).
"""

import os

import pytest

from lucid.scratch.web import svelte
from tests.scratch.web.conftest import HELLO_JS
from tests.scratch.web.conftest import skip_or_fail

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
HOSTILE_NAME = "</script><b>bold</b>"

try:
    from playwright import sync_api
except ImportError:
    sync_api = None


@pytest.fixture(scope="module")
def page_path(counter, tmp_path_factory):
    """A page holding the widgets' HTML, as a notebook would show it."""
    directory = tmp_path_factory.mktemp("svelte_page")
    hello_js = directory / "Hello.js"
    hello_js.write_text(HELLO_JS)
    hello = svelte.SvelteComponent("Hello", str(hello_js))
    items = [{"name": "a", "value": 1}, {"name": HOSTILE_NAME, "value": 2}]
    widgets = [
        counter.to_html({"title": "first", "items": items}),
        counter.to_html({"title": "second", "items": [{"name": "c", "value": 5}]}),
        hello.to_html({"message": "hi"}),
    ]
    path = directory / "widgets.html"
    path.write_text("<!doctype html>\n<html><body>\n" + "\n".join(widgets) + "\n</body></html>")
    return str(path)


@pytest.fixture(scope="module")
def page(page_path):
    if not os.path.exists(CHROMIUM):
        skip_or_fail(
            f"{CHROMIUM} is missing (apt-get install chromium)", ".ci/install-browser-deps"
        )
    if sync_api is None:
        skip_or_fail(
            "playwright is not installed (pip install playwright)", "pip install -e .[test]"
        )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto("file://" + page_path)
        yield page
        browser.close()


def test_each_list_and_computed_value_show_the_data(page):
    first, second = page.locator("div.counter").all()
    assert first.locator("h3").inner_text() == "first"
    assert first.locator("li.item").all_inner_texts() == ["a=1", f"{HOSTILE_NAME}=2"]
    assert first.locator("p.total").inner_text() == "total 3"
    assert [item.get_attribute("data-index") for item in first.locator("li").all()] == ["0", "1"]
    assert first.locator("li").nth(1).evaluate("li => li.style.width") == "20px"
    assert second.locator("li.item").all_inner_texts() == ["c=5"]
    assert page.locator("b").count() == 0  # the hostile name is text, not markup
    assert page.errors == []


def test_click_and_hover_update_only_their_own_widget(page):
    first, second = page.locator("div.counter").all()
    assert first.locator("p.clicks").count() == 0
    first.locator("button").click()
    first.locator("button").click()
    assert first.locator("p.clicks").inner_text() == "clicked 2 times"
    assert second.locator("p.clicks").count() == 0
    first.locator("li").nth(1).hover()
    assert first.locator("p.hovered").inner_text() == "hovered 1"


def test_oncreate_draws_on_the_ref_canvas(page):
    pixel = page.evaluate(
        "() => Array.from(document.querySelector('canvas')"
        ".getContext('2d').getImageData(0, 0, 1, 1).data)"
    )
    assert pixel == [255, 0, 0, 255]


def test_dollar_names_in_the_js_reach_the_browser(page):
    assert page.locator("body").inner_text().strip().endswith("$name $data $id hi")
