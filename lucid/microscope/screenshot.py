"""A screenshot of an atlas page, as the README shows one: headless Chromium via Playwright.

    python -m lucid.microscope.screenshot atlas/ShapesNet/conv2/unit-0003.html out.png

The page is opened from disk (``file://``), every lazy image is scrolled into view and
loaded, and the whole page (``--full-page``) or the first ``--height`` pixels are saved as
a PNG. Needs the ``playwright`` package and a Chromium (``--chromium``, default
``/usr/bin/chromium``, Debian's; ``.ci/install-browser-deps`` installs both).
"""

import argparse
import os
import sys
from typing import Optional
from typing import Sequence

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run")
_IMAGES_LOADED = "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"


def screenshot(
    page_path: str,
    out_path: str,
    width: int = 1280,
    height: int = 1000,
    full_page: bool = False,
    chromium: str = DEFAULT_CHROMIUM,
) -> None:
    """Saves a PNG of the atlas page ``page_path`` (a file) at ``width`` CSS pixels wide.

    Raises:
      ValueError: ``page_path`` is not a file, or ``chromium`` is missing.
      ImportError: the ``playwright`` package is not installed.
    """
    if not os.path.isfile(page_path):
        raise ValueError(
            f"page_path={page_path!r} is not a file; give an HTML page of an atlas, e.g. "
            "atlas/ShapesNet/conv2/unit-0003.html."
        )
    if not os.path.exists(chromium):
        raise ValueError(
            f"chromium={chromium!r} does not exist; install Chromium (apt-get install "
            "chromium) or pass its path (--chromium)."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ImportError(
            "screenshot needs the playwright package: pip install playwright"
        ) from None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto("file://" + os.path.abspath(page_path))
            images = page.locator("img")
            for i in range(images.count()):
                images.nth(i).scroll_into_view_if_needed()
            page.wait_for_function(_IMAGES_LOADED, timeout=30000)
            page.evaluate("() => window.scrollTo(0, 0)")
            page.screenshot(path=out_path, full_page=full_page)
        finally:
            browser.close()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lucid.microscope.screenshot", description=__doc__.splitlines()[0]
    )
    parser.add_argument("page", help="an HTML page of an atlas")
    parser.add_argument("out", help="the PNG to write")
    parser.add_argument("--width", type=int, default=1280, help="viewport width (CSS pixels)")
    parser.add_argument("--height", type=int, default=1000, help="viewport height")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the view")
    parser.add_argument("--chromium", default=DEFAULT_CHROMIUM, help="the Chromium executable")
    args = parser.parse_args(argv)
    try:
        screenshot(args.page, args.out, args.width, args.height, args.full_page, args.chromium)
    except (ValueError, ImportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
