"""wordnet: no nltk needed at import; the corpus is downloaded lazily (nltk faked here)."""

import importlib
import sys
import types

import pytest

from lucid.modelzoo import wordnet


class FakeSynset:
    def __init__(self, name, pos, offset):
        self._name, self._pos, self._offset = name, pos, offset

    def name(self):
        return self._name

    def pos(self):
        return self._pos

    def offset(self):
        return self._offset


SYNSETS = {
    ("n", 2119789): FakeSynset("kit_fox.n.01", "n", 2119789),
    ("n", 2120079): FakeSynset("arctic_fox.n.01", "n", 2120079),
    ("n", 1440764): FakeSynset("tench.n.01", "n", 1440764),
}


class FakeWordnet:
    """Behaves like nltk's lazy corpus: attribute access fails until the corpus is downloaded."""

    def __init__(self, downloaded):
        self.downloaded = downloaded

    def __getattr__(self, name):
        if not self.downloaded["wordnet"]:
            raise LookupError("Resource wordnet not found.")
        if name == "synset_from_pos_and_offset":
            return lambda pos, offset: SYNSETS[(pos, offset)]
        raise AttributeError(name)


@pytest.fixture
def fake_nltk(monkeypatch):
    downloaded = {"wordnet": False}
    calls = []

    def download(name, quiet=False):
        calls.append((name, quiet))
        downloaded[name] = True
        return True

    nltk = types.ModuleType("nltk")
    nltk.download = download
    corpus = types.ModuleType("nltk.corpus")
    corpus.wordnet = FakeWordnet(downloaded)
    nltk.corpus = corpus
    monkeypatch.setitem(sys.modules, "nltk", nltk)
    monkeypatch.setitem(sys.modules, "nltk.corpus", corpus)
    for cached in (
        wordnet._wordnet,
        wordnet.imagenet_synsets,
        wordnet.imagenet_synset_from_description,
    ):
        cached.cache_clear()
    yield calls
    for cached in (
        wordnet._wordnet,
        wordnet.imagenet_synsets,
        wordnet.imagenet_synset_from_description,
    ):
        cached.cache_clear()


def test_import_needs_no_nltk_and_downloads_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "nltk", None)  # import nltk -> ImportError
    importlib.reload(wordnet)
    assert wordnet.IMAGENET_SYNSETS_PATH == "gs://modelzoo/labels/ImageNet_standard_synsets.txt"
    wordnet._wordnet.cache_clear()
    with pytest.raises(ImportError, match="pip install nltk"):
        wordnet.synset_from_id("n02119789")


def test_id_round_trip_and_lazy_download(fake_nltk):
    assert fake_nltk == []
    synset = wordnet.synset_from_id("n02119789")
    assert synset.name() == "kit_fox.n.01"
    assert fake_nltk == [("wordnet", True)]
    assert wordnet.id_from_synset(synset) == "n02119789"
    wordnet.synset_from_id("n01440764")
    assert len(fake_nltk) == 1  # downloaded once


def test_synset_from_id_validates_its_argument(fake_nltk):
    with pytest.raises(ValueError, match="like 'n01440764'; got 'n123'"):
        wordnet.synset_from_id("n123")


def test_imagenet_synset_from_description(fake_nltk, monkeypatch):
    monkeypatch.setattr(
        wordnet, "imagenet_synset_ids", lambda: ["n02119789", "n02120079", "n01440764"]
    )
    assert wordnet.imagenet_synset_from_description("Tench").name() == "tench.n.01"
    with pytest.raises(ValueError, match="2 ImageNet synsets contain 'fox'"):
        wordnet.imagenet_synset_from_description("fox")
    with pytest.raises(ValueError, match="No ImageNet synset name contains 'zebra'"):
        wordnet.imagenet_synset_from_description("zebra")


def test_model_synsets_map_synset_ids(fake_nltk, tmp_path):
    from lucid.modelzoo.vision_base import Model

    path = tmp_path / "synsets.txt"
    path.write_text("n01440764\nn02119789\n")

    class WithSynsets(Model):
        synsets_path = str(path)

    assert [s.name() for s in WithSynsets().synsets] == ["tench.n.01", "kit_fox.n.01"]
