"""The resources a Model loads lazily, on first use: its graph, labels and synsets.

:class:`LazyResources` is the base class of :class:`lucid.modelzoo.vision_base.Model` that
holds them; reading ``graph_def`` or ``labels`` may download the file once into the cache
(see ``lucid.modelzoo.util``). The class using it sets ``model_path``, ``labels_path``,
``synsets_path`` and ``name``.
"""

from lucid.modelzoo import util


class LazyResources:
    """``graph_def``, ``labels``, ``synset_ids`` and ``synsets``, each loaded on first access."""

    _labels = None
    _synset_ids = None
    _synsets = None
    _graph_def = None

    @property
    def graph_def(self):
        """The frozen ``tf.GraphDef``; loaded from ``model_path`` on first access (may download)."""
        if self._graph_def is None:
            if self.model_path is None:
                raise ValueError(
                    f"{self.name} has no model_path; set it to the path or URL of a .pb."
                )
            self._graph_def = util.load_graphdef(self.model_path)
        return self._graph_def

    def load_graphdef(self):
        """Loads the graph now (downloading it once into the cache); returns None.

        Lucid made this a deprecated no-op once ``graph_def`` became lazy. Here it simply
        forces that lazy load, so notebooks that call it keep working and fail early on a
        download problem.
        """
        self.graph_def  # noqa: B018 (property access triggers the load)

    @property
    def labels(self):
        """Class labels, read lazily from ``labels_path`` (list of str)."""
        if self._labels is None:
            if self.labels_path is None:
                raise RuntimeError(f"{self.name} has no labels_path, so it has no labels.")
            self._labels = util.load_text_labels(self.labels_path)
        return self._labels

    @property
    def synset_ids(self):
        """WordNet ids of the classes (e.g. ``"n01440764"``), read lazily from ``synsets_path``."""
        if self._synset_ids is None:
            if self.synsets_path is None:
                raise RuntimeError(f"{self.name} has no synsets_path, so it has no synset ids.")
            self._synset_ids = util.load_text_labels(self.synsets_path)
        return self._synset_ids

    @property
    def synsets(self):
        """``nltk`` WordNet synsets of the classes (needs ``pip install nltk``)."""
        if self._synsets is None:
            from lucid.modelzoo import wordnet

            self._synsets = [wordnet.synset_from_id(id_str) for id_str in self.synset_ids]
        return self._synsets
