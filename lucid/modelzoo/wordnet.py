"""WordNet synsets of ImageNet classes (needs ``pip install nltk``).

Unlike Lucid, importing this module downloads nothing: the WordNet corpus is fetched by
``nltk.download("wordnet")`` on the first call that needs it.
"""

from functools import lru_cache

from lucid.modelzoo import util

IMAGENET_SYNSETS_PATH = "gs://modelzoo/labels/ImageNet_standard_synsets.txt"

_ID_LENGTH = 9  # one part-of-speech letter, eight offset digits: "n01440764"


def id_from_synset(synset):
    """The ImageNet-style id of an nltk synset, e.g. ``"n01440764"``."""
    return f"{synset.pos()}{synset.offset():08}"


def synset_from_id(id_str):
    """The nltk WordNet synset for an id such as ``"n01440764"``."""
    if not isinstance(id_str, str) or len(id_str) != _ID_LENGTH or not id_str[1:].isdigit():
        raise ValueError(
            f"id_str must be a part-of-speech letter and 8 digits, like 'n01440764'; got {id_str!r}."
        )
    return _wordnet().synset_from_pos_and_offset(id_str[0], int(id_str[1:]))


@lru_cache(maxsize=1)
def imagenet_synset_ids():
    """The 1000 ImageNet class ids, in the standard order (downloads once)."""
    return util.load_text_labels(IMAGENET_SYNSETS_PATH)


@lru_cache(maxsize=1)
def imagenet_synsets():
    """The 1000 ImageNet classes as nltk synsets."""
    return [synset_from_id(id_str) for id_str in imagenet_synset_ids()]


@lru_cache
def imagenet_synset_from_description(search_term):
    """The one ImageNet synset whose name contains ``search_term`` (case-insensitive).

    Raises:
      ValueError: no synset, or more than one, matches.
    """
    candidates = [s for s in imagenet_synsets() if search_term.lower() in s.name().lower()]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ValueError(f"No ImageNet synset name contains {search_term!r}.")
    names = ", ".join(s.name() for s in candidates)
    raise ValueError(
        f"{len(candidates)} ImageNet synsets contain {search_term!r}: {names}. Use a longer term."
    )


@lru_cache(maxsize=1)
def _wordnet():
    """nltk's WordNet reader, downloading the corpus on first use."""
    try:
        import nltk
        from nltk.corpus import wordnet
    except ImportError as e:
        raise ImportError(
            "lucid.modelzoo.wordnet needs nltk, which is not installed: pip install nltk"
        ) from e
    try:
        wordnet.synset_from_pos_and_offset  # noqa: B018 (first attribute access loads the corpus)
    except LookupError:
        if not nltk.download("wordnet", quiet=True):
            raise RuntimeError(
                "Could not download the WordNet corpus with nltk.download('wordnet'). "
                "Download it by hand (python -m nltk.downloader wordnet) or check the network."
            ) from None
    return wordnet
