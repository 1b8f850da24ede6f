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

EVIL_LABEL = "<img src=x onerror=alert(1)>"
EVIL_LAYERS = ["mixed4a/conv", "<script>alert('layer')</script>", "../../etc", "index.html", "a_b"]


class _Links(html.parser.HTMLParser):
    """Collects every href / src, <img> attributes and visible text of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.images, self.text, self.tags = [], [], [], []

    def handle_starttag(self, tag, attrs):
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


def _fake_atlas(out_dir):
    """An atlas on disk as a build would leave it, with hostile layer names and labels."""
    names = EVIL_LAYERS + ["logits"]
    dirs = layout.layer_dirs(names)
    labels = ["cat", EVIL_LABEL, "dog & <b>bird</b>"]
    info = {
        "name": "Evil<Net>",
        "dataset": "<i>shapes</i>",
        "image_shape": [8, 8, 3],
        "labels": labels,
        "layers": [
            {"name": name, "depth": 3, "tags": ["conv"], "dir": dirs[name], "spatial": True}
            for name in EVIL_LAYERS
        ]
        + [
            {
                "name": "logits",
                "depth": 3,
                "tags": ["dense"],
                "dir": dirs["logits"],
                "spatial": False,
            }
        ],
    }
    model_dir = os.path.join(out_dir, layout.safe_component(info["name"]))
    results.atomic_write(os.path.join(model_dir, layout.MODEL_JSON), results.json_bytes(info))
    image = np.linspace(0, 1, 8 * 8 * 3).reshape(8, 8, 3)
    for layer in info["layers"]:
        img_dir = os.path.join(model_dir, layer["dir"], layout.RESULTS_DIR)
        for unit in (0, 1, 2):
            params = {"model": info["name"], "layer": layer["name"], "unit": unit}
            results.write_result(img_dir, layout.result_stem(unit, "channel"), params, {"": image})
            results.write_result(
                img_dir, layout.result_stem(unit, "diverse"), params, {"0": image, "1": image}
            )
            results.write_result(
                img_dir,
                layout.result_stem(unit, "examples"),
                params,
                {"0": image},
                examples=[{"index": 0, "caption": EVIL_LABEL, "activation": 1.5, "box": None}],
            )
        results.write_result(img_dir, layout.DEEPDREAM_STEM, {"layer": layer["name"]}, {"": image})
    return model_dir, info


@pytest.fixture
def atlas(tmp_path):
    model_dir, info = _fake_atlas(str(tmp_path))
    pages = site.generate_site(str(tmp_path))
    return str(tmp_path), model_dir, info, pages


def _pages(out_dir):
    for directory, _, files in os.walk(out_dir):
        for name in files:
            if name.endswith(".html"):
                yield os.path.join(directory, name)


def test_every_page_is_generated(atlas):
    out_dir, model_dir, info, pages = atlas
    # index + model page + 6 layers x (layer page + 3 unit pages)
    assert pages == 2 + 6 * 4 == len(list(_pages(out_dir)))
    for layer in info["layers"]:
        assert os.path.isfile(os.path.join(model_dir, layer["dir"], "unit-0002.html"))
    assert os.path.isfile(os.path.join(out_dir, "style.css"))


def test_untrusted_text_is_escaped_everywhere(atlas):
    out_dir, model_dir, info, _ = atlas
    for path in _pages(out_dir):
        with open(path, encoding="utf-8") as f:
            source = f.read()
        for raw in ("<img src=x", "<script>", "<b>bird", "<i>shapes", "<Net>"):
            assert raw not in source, (path, raw)
        parsed = _parse(path)
        assert set(parsed.tags) <= {
            "html", "head", "meta", "title", "link", "body", "nav", "main", "footer", "h1", "h2",
            "p", "a", "span", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "div",
            "section", "figure", "figcaption", "img",
        }, path  # fmt: skip
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
    assert sorted(os.listdir(model_dir)) == sorted(dirs + ["index.html", "model.json"])
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


def test_regeneration_is_deterministic_and_touches_nothing(atlas):
    out_dir = atlas[0]
    pages = sorted(_pages(out_dir))
    before = {p: (open(p, "rb").read(), os.stat(p).st_mtime_ns) for p in pages}
    site.generate_site(out_dir)
    assert {p: (open(p, "rb").read(), os.stat(p).st_mtime_ns) for p in pages} == before


def test_unreadable_results_are_left_out(tmp_path):
    model_dir, info = _fake_atlas(str(tmp_path))
    layer_dir = os.path.join(model_dir, info["layers"][0]["dir"])
    with open(os.path.join(layer_dir, "img", "unit-0001-channel.json"), "w") as f:
        f.write('{"params": {"unit": 1}, "files": [')  # truncated: as if written non-atomically
    os.remove(os.path.join(layer_dir, "img", "unit-0002-channel.json"))
    os.remove(os.path.join(layer_dir, "img", "unit-0002-diverse.json"))
    os.remove(os.path.join(layer_dir, "img", "unit-0002-examples.json"))
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
