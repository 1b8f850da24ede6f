"""The JSON API, the search index and the pages made from the same data, on a hand-written atlas."""

import json
import os
import re

import pytest

from lucid.microscope import api
from lucid.microscope import layout
from lucid.microscope import site
from lucid.microscope import svg_inline
from tests.microscope.conftest import EVIL_LABEL
from tests.microscope.conftest import FAKE_TIMING
from tests.microscope.conftest import SCRIPT_LABEL
from tests.microscope.conftest import fake_architecture_svg
from tests.microscope.conftest import fake_model_info
from tests.microscope.conftest import read_tree
from tests.microscope.conftest import write_fake_atlas

UNIT_FIELDS = {
    "model", "layer", "unit", "label", "page", "channel", "neuron", "negative", "alpha",
    "diverse", "dataset_examples", "tuning_curves", "upstream", "upstream_note", "scores",
    "params", "timings",
}  # fmt: skip


@pytest.fixture
def atlas(fake_atlas):
    return fake_atlas


def _json(out_dir, *path):
    with open(os.path.join(out_dir, *path), encoding="utf-8") as f:
        return json.load(f)


def _text(out_dir, path):
    with open(os.path.join(out_dir, *path.split("/")), encoding="utf-8") as f:
        return f.read()


def test_index_lists_models_layers_and_rendered_units(atlas):
    out_dir, model_dir, info = atlas
    index = _json(out_dir, "api", "index.json")
    assert index == {
        "models": [
            {
                "name": "Evil<Net>",
                "dir": model_dir,
                "layers": [
                    {
                        "name": layer["name"],
                        "dir": layer["dir"],
                        "depth": 3,
                        "tags": layer["tags"],
                        "units": [0, 1, 2],
                    }
                    for layer in info["layers"]
                ],
            }
        ]
    }


def test_unit_record_has_every_field_with_paths_that_exist(atlas):
    out_dir, model_dir, info = atlas
    second, logits = info["layers"][1], info["layers"][-1]
    record = _json(out_dir, "api", model_dir, second["dir"], "0.json")
    assert set(record) == UNIT_FIELDS
    base = f"{model_dir}/{second['dir']}/img/unit-0000"
    assert record["channel"] == [f"{base}-channel.png"]
    assert record["negative"] == [f"{base}-negative.png"]
    assert record["alpha"] == [f"{base}-alpha.png"]
    assert record["diverse"] == [f"{base}-diverse-0.png", f"{base}-diverse-1.png"]
    assert record["neuron"] is None  # not rendered in this atlas
    assert record["dataset_examples"] == [
        {"image": f"{base}-examples-0.png", "caption": EVIL_LABEL, "activation": 1.5, "box": None}
    ]
    assert record["tuning_curves"] == {
        "chart": f"{base}-tuning.svg",
        "curves": [{"name": "angle", "unit": "degrees", "x": [0, 90], "y": [1.0, 0.5]}],
    }
    assert record["scores"] == {"activation_ratio": 2.5, "stability": 0.75, "diversity": None}
    assert record["timings"] == {
        kind: FAKE_TIMING["seconds"] for kind in ("alpha", "channel", "diverse", "negative")
    }
    assert record["params"]["channel"]["steps"] == 4 and "scores" in record["params"]
    assert record["page"] == f"{model_dir}/{second['dir']}/unit-0000.html"
    first = info["layers"][0]
    first_page = f"{model_dir}/{first['dir']}/unit-0001.html"
    assert record["upstream"] == [
        {"layer": first["name"], "unit": 1, "weight": 0.5, "page": first_page,
         "image": f"{model_dir}/{first['dir']}/img/unit-0001-channel.png"},
        {"layer": first["name"], "unit": 2, "weight": -0.25,
         "page": first_page.replace("0001", "0002"),
         "image": f"{model_dir}/{first['dir']}/img/unit-0002-channel.png"},
        {"layer": first["name"], "unit": 7, "weight": 0.125, "page": None, "image": None},
    ]  # fmt: skip
    paths = [*record["channel"], *record["diverse"], record["tuning_curves"]["chart"]]
    paths += [item["image"] for item in record["upstream"] if item["image"]]
    for path in paths:
        assert os.path.isfile(os.path.join(out_dir, *path.split("/"))), path
    first_record = _json(out_dir, "api", model_dir, first["dir"], "1.json")
    assert first_record["upstream"] == [] and first_record["alpha"] is None
    assert first_record["upstream_note"] == "no direct weights: first conv layer"
    logits_record = _json(out_dir, "api", model_dir, logits["dir"], "1.json")
    assert logits_record["label"] == EVIL_LABEL and logits_record["tuning_curves"] is None


def test_unit_page_shows_the_records_data(atlas):
    out_dir, model_dir, info = atlas
    second = info["layers"][1]
    record = _json(out_dir, "api", model_dir, second["dir"], "0.json")
    page = _text(out_dir, record["page"])
    for path in [*record["channel"], *record["negative"], *record["alpha"], *record["diverse"]]:
        assert f'src="../../{path}"' in page, path
    assert f'src="../../{record["tuning_curves"]["chart"]}"' in page
    # Negative beside positive: both in one flex row of views, the positive first.
    views = re.search(r'<div class="views">(.*?)</div></section></div>', page).group(1)
    assert views.index('class="channel"') < views.index('class="negative"')
    # Upstream units: linked thumbnails with signed weights; the unrendered one unlinked.
    upstream = re.search(r'<section class="upstream">.*?</section>', page).group(0)
    assert upstream.count('<a class="unit"') == 2 and upstream.count('<span class="unit">') == 1
    assert upstream.count('<span class="blank">not rendered</span>') == 1
    assert [w for w in re.findall(r'class="weight (\w+)">([^<]+)<', upstream)] == [
        ("positive", "+0.5"), ("negative", "-0.25"), ("positive", "+0.125"),
    ]  # fmt: skip
    assert f'href="../../{record["upstream"][0]["page"]}"' in upstream
    # Score badges link to their definitions on the help page.
    for key in ("activation_ratio", "stability", "diversity"):
        assert f'href="../../help.html#score-{key}"' in page
    assert ">activation ratio <b>2.5</b>" in page and ">diversity <b>n/a</b>" in page
    assert page.count(f"{FAKE_TIMING['seconds']} s</td>") == 4
    first_page = _text(out_dir, f"{model_dir}/{info['layers'][0]['dir']}/unit-0001.html")
    assert '<p class="no-weights">no direct weights: first conv layer</p>' in first_page
    help_page = _text(out_dir, "help.html")
    for anchor in ("score-activation_ratio", "score-stability", "score-diversity"):
        assert f'id="{anchor}"' in help_page
    assert "max<sub><var>x</var> ∈ <var>D</var></sub>" in help_page
    # Stability as quality.py defines it: above the blank canvas's b = a(t_0(g)).
    assert "<var>b</var> = <var>a</var>(<var>t</var><sub>0</sub>(<var>g</var>))" in help_page


def test_layer_model_and_tour_pages(atlas):
    out_dir, model_dir, info = atlas
    layer = info["layers"][2]
    layer_page = _text(out_dir, f"{model_dir}/{layer['dir']}/index.html")
    views = layer_page[layer_page.index('<div class="views">') :]
    assert views.index("DeepDream") < views.index("Caricatures")
    assert "layer-caricature-0-image.png" in views and "layer-caricature-0-caricature.png" in views
    model_page = _text(out_dir, f"{model_dir}/index.html")
    assert model_page.index("<svg") < model_page.index('<table class="layers">')
    for entry in info["layers"]:
        assert f'<a href="{entry["dir"]}/index.html">' in model_page  # diagram links
    assert 'href="../' + model_dir + '/images/index.html"' in model_page
    tour = _text(out_dir, f"{model_dir}/images/image-001.html")
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;</h1>" in tour
    unit_link = f'href="../../{model_dir}/{layer["dir"]}/unit-0002.html"'
    assert unit_link in tour
    assert tour.count('<span class="caption">unit 9 (1)</span>') == len(info["layers"])


def test_search_index_is_the_plain_index_escaped(atlas):
    out_dir = atlas[0]
    plain = _json(out_dir, "api", "search.json")
    script = _text(out_dir, "search-index.js")
    prefix, suffix = "window.LUCID_SEARCH_INDEX = ", ";\n"
    assert script.startswith(prefix) and script.endswith(suffix)
    assert "<" not in script and ">" not in script and "&" not in script
    assert json.loads(script[len(prefix) : -len(suffix)]) == plain
    entries = plain["entries"]
    assert len(entries) == 6 + 6 * 3  # a layer entry and 3 units per layer
    logits = [e for e in entries if e["layer"] == "logits" and e["unit"] is not None]
    assert [e["label"] for e in logits] == fake_model_info()["labels"]
    assert logits[2]["captions"] == [SCRIPT_LABEL]
    assert logits[1]["page"].endswith("/logits/unit-0001.html")


def test_regeneration_is_byte_identical_and_restores_deleted_files(atlas, tmp_path):
    out_dir = atlas[0]
    before = read_tree(out_dir)
    for path in ("api/index.json", "search-index.js"):
        os.remove(os.path.join(out_dir, path))
    site.generate_site(out_dir)
    assert read_tree(out_dir) == before
    # A second atlas written the same way has the same API bytes.
    write_fake_atlas(str(tmp_path))
    site.generate_site(str(tmp_path))
    again = read_tree(str(tmp_path))
    api_files = [path for path in before if path.startswith("api") or path.endswith(".js")]
    assert len(api_files) > 20 and all(again[path] == before[path] for path in api_files)


def test_missing_results_leave_fields_null(tmp_path):
    model_dir, info = write_fake_atlas(str(tmp_path))
    img_dir = os.path.join(model_dir, info["layers"][1]["dir"], layout.RESULTS_DIR)
    for kind in ("scores", "upstream", "tuning", "negative"):
        os.remove(os.path.join(img_dir, f"unit-0000-{kind}.json"))
    with open(os.path.join(img_dir, "unit-0000-examples.json"), "w") as f:
        f.write("{")  # unreadable
    site.generate_site(str(tmp_path))
    record = _json(
        str(tmp_path), "api", os.path.basename(model_dir), info["layers"][1]["dir"], "0.json"
    )
    for field in ("scores", "upstream", "upstream_note", "tuning_curves", "negative"):
        assert record[field] is None, field
    assert record["dataset_examples"] is None and record["channel"]
    page = _text(str(tmp_path), record["page"])
    assert 'class="scores"' not in page and 'class="upstream"' not in page


def test_file_names_from_records_must_be_plain():
    assert api.result_path("M", "L", "unit-0001-channel.png") == "M/L/img/unit-0001-channel.png"
    for bad in ("../../../etc/passwd", "a/b.png", ".hidden", "", None, 3, "a\\b"):
        assert api.result_path("M", "L", bad) is None, bad


def test_inline_svg_keeps_drawing_and_links_and_drops_the_rest():
    info = fake_model_info()
    svg = svg_inline.inline_svg(fake_architecture_svg(info))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    for forbidden in ("<script", "javascript:", "onclick", "foreignObject", "<div", "alert('svg')"):
        assert forbidden not in svg, forbidden
    assert svg.count("<a href=") == len(info["layers"])
    assert "<a><text>bad link</text></a>" in svg  # the javascript: link lost its href
    assert "&lt;script&gt;alert(&#x27;layer&#x27;)&lt;/script&gt;" in svg
    kept = f"{info['layers'][1]['dir']}/index.html"
    only = svg_inline.inline_svg(fake_architecture_svg(info), links={kept})
    assert only.count("<a href=") == 1 and f'<a href="{kept}">' in only
    assert only.count("<rect") == svg.count("<rect")  # the unlinked nodes are still drawn
    assert svg_inline.inline_svg("<svg><unclosed") == ""
    assert svg_inline.inline_svg("<html/>") == ""


def test_file_names_agree_with_their_writers():
    from lucid.microscope import architecture
    from lucid.microscope import image_tours

    assert api.ARCHITECTURE_SVG == architecture.ARCHITECTURE_SVG
    assert api.IMAGES_DIR == image_tours.IMAGES_DIR
