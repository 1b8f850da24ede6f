"""The static site from results on disk: escaping, safe paths, working relative links, lazy images."""

import html.parser
import json
import os
import posixpath
from urllib.parse import unquote
from urllib.parse import urlsplit

import numpy as np
import pytest

from lucid.microscope import layout
from lucid.microscope import results
from lucid.microscope import site
from tests.microscope.conftest import EVIL_LABEL
from tests.microscope.conftest import write_fake_atlas


class _Links(html.parser.HTMLParser):
    """Collects every href / src, <img> attributes and visible text of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.images, self.text, self.tags = [], [], [], []
        self.attribute_names = []

    def handle_starttag(self, tag, attrs):
        self.attribute_names += [name for name, _ in attrs]
        attrs = dict(attrs)
        self.tags.append(tag)
        for name in ("href", "src"):
            if name in attrs:
                self.links.append(attrs[name])
        if tag == "img":
            self.images.append(attrs)

    def handle_data(self, data):
        self.text.append(data)


def _parse(path):
    parser = _Links()
    with open(path, encoding="utf-8") as f:
        parser.feed(f.read())
    return parser


@pytest.fixture
def atlas(tmp_path):
    model_dir, info = write_fake_atlas(str(tmp_path))
    pages = site.generate_site(str(tmp_path))
    return str(tmp_path), model_dir, info, pages


def _pages(out_dir):
    for directory, _, files in os.walk(out_dir):
        for name in files:
            if name.endswith(".html"):
                yield os.path.join(directory, name)


def test_every_page_is_generated(atlas):
    out_dir, model_dir, info, pages = atlas
    # index + help + model page + 6 layers x (layer page + 3 unit pages) + 3 image tour pages
    assert pages == 3 + 6 * 4 + 3 == len(list(_pages(out_dir)))
    for layer in info["layers"]:
        assert os.path.isfile(os.path.join(model_dir, layer["dir"], "unit-0002.html"))
    for name in ("style.css", "search.js", "search-index.js", "help.html"):
        assert os.path.isfile(os.path.join(out_dir, name)), name
    for name in ("index.html", "image-000.html", "image-001.html"):
        assert os.path.isfile(os.path.join(model_dir, "images", name)), name


def test_untrusted_text_is_escaped_everywhere(atlas):
    out_dir, model_dir, info, _ = atlas
    for path in _pages(out_dir):
        with open(path, encoding="utf-8") as f:
            source = f.read()
        for raw in ("<img src=x", "<script>", "</script><img", "<b>bird", "<i>shapes", "<Net>"):
            assert raw not in source, (path, raw)
        assert "javascript:" not in source and "foreignObject" not in source
        parsed = _parse(path)
        assert not [name for name in parsed.attribute_names if name.startswith("on")], path
        assert set(parsed.tags) <= {
            "html", "head", "meta", "title", "link", "script", "body", "header", "nav", "form",
            "input", "ol", "main", "footer", "h1", "h2", "h3", "p", "a", "b", "span", "ul",
            "li", "table", "thead", "tbody", "tr", "th", "td", "div", "section", "figure",
            "figcaption", "img", "dl", "dt", "dd", "code", "var", "sub",
            "svg", "g", "rect", "text",  # the architecture diagram, inline
        }, path  # fmt: skip
        # The only script is the site's own search.js, loaded from the atlas root.
        assert [tag for tag in parsed.tags if tag == "script"] == ["script"], path
        assert "script-src 'self';" in source and "unsafe" not in source, path
    logits_dir = os.path.join(model_dir, layout.layer_dirs(["logits"])["logits"])
    unit_page = _parse(os.path.join(logits_dir, "unit-0001.html"))
    assert EVIL_LABEL in "".join(unit_page.text)  # shown as text
    with open(os.path.join(out_dir, "index.html"), encoding="utf-8") as f:
        assert "Evil&lt;Net&gt;" in f.read()


def test_links_are_relative_and_resolve(atlas):
    out_dir = atlas[0]
    checked = 0
    for path in _pages(out_dir):
        page_dir = posixpath.dirname(os.path.relpath(path, out_dir).replace(os.sep, "/"))
        for link in _parse(path).links:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc and not link.startswith("/"), link
            target = posixpath.normpath(posixpath.join(page_dir, unquote(parts.path)))
            assert not target.startswith(".."), (path, link)
            assert os.path.isfile(os.path.join(out_dir, target)), (path, link)
            checked += 1
    assert checked > 250


def test_images_are_lazy_and_have_alt_text(atlas):
    images = [image for path in _pages(atlas[0]) for image in _parse(path).images]
    assert len(images) > 100
    assert all(image.get("loading") == "lazy" and image.get("alt") for image in images)


def test_hostile_layer_names_map_to_distinct_safe_directories(atlas):
    _, model_dir, info, _ = atlas
    dirs = [layer["dir"] for layer in info["layers"]]
    assert len(set(dirs)) == len(dirs)
    extras = ["index.html", "model.json", "architecture.svg", "images"]
    assert sorted(os.listdir(model_dir)) == sorted(dirs + extras)
    assert layout.safe_component("a_b") == "a_b"
    assert layout.safe_component("mixed4a/conv").startswith("mixed4a_conv-")
    assert layout.safe_component("a/b") != layout.safe_component("a_b")


def test_safe_component():
    assert layout.safe_component("conv2d0_pre_relu") == "conv2d0_pre_relu"
    for hostile in ("..", ".hidden", "a/b", "a\\b", "", "img", "INDEX.HTML", "é", "a b", "x" * 200):
        safe = layout.safe_component(hostile)
        assert safe and len(safe) <= 80
        assert all(c.isalnum() or c in "._-" for c in safe) and safe.isascii()
        assert not safe.startswith(".") and safe.lower() not in ("index.html", "img")
    assert layout.safe_component("a/b") != layout.safe_component("a\\b")
    dirs = layout.layer_dirs(["Conv", "conv", "pool"])
    assert dirs["pool"] == "pool" and dirs["Conv"].lower() != dirs["conv"].lower()
    with pytest.raises(TypeError, match="must be a str"):
        layout.safe_component(3)


@pytest.mark.parametrize(
    "name",
    ["api", "help.html", "search.js", "search-index.js", "images", "architecture.svg", "Images"],
)
def test_model_and_layer_names_never_take_the_site_files(name):
    # A model named "api" would otherwise share the API's directory; a layer named "images",
    # the image tours'.
    site_files = {"api", "help.html", "search.js", "search-index.js", "images", "architecture.svg"}
    safe = layout.safe_component(name)
    assert safe != name and safe.lower() not in site_files
    assert layout.layer_dirs([name, "conv"])[name] == safe


def test_regeneration_is_deterministic_and_touches_nothing(atlas):
    out_dir = atlas[0]
    pages = sorted(_pages(out_dir))
    before = {p: (open(p, "rb").read(), os.stat(p).st_mtime_ns) for p in pages}
    site.generate_site(out_dir)
    assert {p: (open(p, "rb").read(), os.stat(p).st_mtime_ns) for p in pages} == before


def test_unreadable_results_are_left_out(tmp_path):
    model_dir, info = write_fake_atlas(str(tmp_path))
    layer_dir = os.path.join(model_dir, info["layers"][0]["dir"])
    with open(os.path.join(layer_dir, "img", "unit-0001-channel.json"), "w") as f:
        f.write('{"params": {"unit": 1}, "files": [')  # truncated: as if written non-atomically
    for name in os.listdir(os.path.join(layer_dir, "img")):
        if name.startswith("unit-0002-") and name.endswith(".json"):
            os.remove(os.path.join(layer_dir, "img", name))
    site.generate_site(str(tmp_path))
    assert not os.path.exists(os.path.join(layer_dir, "unit-0002.html"))
    unit_page = _parse(os.path.join(layer_dir, "unit-0001.html"))
    assert not any("channel.png" in link for link in unit_page.links)
    assert any("diverse-0.png" in link for link in unit_page.links)


def test_atomic_writes_and_result_markers(tmp_path):
    directory = str(tmp_path)
    params = {"unit": 1}
    results.write_result(directory, "unit-0001-channel", params, {"": np.zeros((4, 4, 3))})
    assert results.is_done(directory, "unit-0001-channel", params)
    assert not results.is_done(directory, "unit-0001-channel", {"unit": 2})
    assert not results.is_done(directory, "unit-0002-channel", params)
    record = json.loads(open(os.path.join(directory, "unit-0001-channel.json")).read())
    assert record == {"params": params, "files": ["unit-0001-channel.png"]}
    os.remove(os.path.join(directory, "unit-0001-channel.png"))
    assert not results.is_done(directory, "unit-0001-channel", params)

    class Crash(Exception):
        pass

    def exploding():
        yield b"partial"
        raise Crash

    with open(os.path.join(directory, ".x.png.tmp-leftover"), "wb") as f:
        f.write(b"half a file")
    assert results.sweep_temp_files(directory) == 1
    with pytest.raises(TypeError):
        results.atomic_write(os.path.join(directory, "y.png"), exploding())
    assert sorted(os.listdir(directory)) == ["unit-0001-channel.json"]
    assert not results.write_if_changed(
        os.path.join(directory, "unit-0001-channel.json"),
        open(os.path.join(directory, "unit-0001-channel.json"), "rb").read(),
    )


def test_serve_binds_loopback_and_serves_only_the_atlas(atlas):
    import threading
    import urllib.error
    import urllib.request

    from lucid.microscope import serve

    out_dir, model_dir, info, _ = atlas
    server = serve.make_server(out_dir, port=0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(base) as response:
            assert response.read() == open(os.path.join(out_dir, "index.html"), "rb").read()
        model = os.path.basename(model_dir)
        layer = info["layers"][0]["dir"]
        with urllib.request.urlopen(f"{base}{model}/{layer}/img/unit-0000-channel.png") as response:
            assert response.headers["Content-Type"] == "image/png"
        for path in (f"{model}/{layer}/img/", "../../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd"):
            with pytest.raises(urllib.error.HTTPError) as error:
                urllib.request.urlopen(base + path)
            assert error.value.code == 404, path
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(ValueError, match="is not a directory"):
        serve.make_server(os.path.join(out_dir, "missing"))
