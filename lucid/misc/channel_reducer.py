"""Dimensionality reduction of the innermost (channel) axis of activation arrays.

`ChannelReducer` wraps any ``sklearn.decomposition`` estimator (NMF, PCA, FastICA, ...) so it
applies to `[..., channels]` arrays of any rank, e.g. `[batch, h, w, channels]` activations,
without manual reshaping. scikit-learn is optional: ``pip install scikit-learn`` (or
``pip install lucid[reducers]``).
"""

import numbers

import numpy as np


def _sklearn_decomposition():
    try:
        import sklearn.base
        import sklearn.decomposition
    except ImportError as error:
        raise ImportError(
            "ChannelReducer needs scikit-learn: pip install scikit-learn (or lucid[reducers])."
        ) from error
    return sklearn.decomposition, sklearn.base.BaseEstimator


class ChannelReducer:
    """Reduces the innermost axis of an array to `n_components` with a scikit-learn estimator.

    Fitted attributes of the estimator are exposed without their trailing underscore:
    ``reducer.components`` is the estimator's ``components_``.

    Example::

        reducer = ChannelReducer(3, "NMF")
        small = reducer.fit_transform(acts)   # [b, h, w, 512] -> [b, h, w, 3]
    """

    def __init__(self, n_components=3, reduction_alg="NMF", **kwargs):
        """Creates the estimator.

        Args:
          n_components: number of output channels.
          reduction_alg: name of a ``sklearn.decomposition`` estimator ("NMF", "PCA",
            "FastICA", "MiniBatchDictionaryLearning", ...) or an estimator class.
          **kwargs: passed to the estimator's constructor.

        Raises:
          ValueError: `n_components` is not an int, or `reduction_alg` is unknown.
          ImportError: scikit-learn is not installed.
        """
        if not isinstance(n_components, numbers.Integral) or isinstance(n_components, bool):
            raise ValueError(f"n_components must be an int; got {n_components!r}.")
        decomposition, base_estimator = _sklearn_decomposition()
        if isinstance(reduction_alg, str):
            algorithms = {
                name: obj
                for name, obj in vars(decomposition).items()
                if isinstance(obj, type) and issubclass(obj, base_estimator)
            }
            if reduction_alg not in algorithms:
                raise ValueError(
                    f"Unknown dimensionality reduction method reduction_alg={reduction_alg!r}; "
                    f"use one of {sorted(algorithms)} or pass an estimator class."
                )
            reduction_alg = algorithms[reduction_alg]
        self.n_components = int(n_components)
        self._reducer = reduction_alg(n_components=self.n_components, **kwargs)
        self._is_fit = False

    @classmethod
    def _apply_flat(cls, f, acts):
        """Applies `f` to `acts` flattened to `[-1, channels]`; restores the leading axes.

        Non-array results (e.g. the estimator returned by ``fit``) are returned as they are.
        """
        acts = np.asarray(acts)
        flat_result = f(acts.reshape([-1, acts.shape[-1]]))
        if not isinstance(flat_result, np.ndarray):
            return flat_result
        return flat_result.reshape(list(acts.shape[:-1]) + [-1])

    def fit(self, acts):
        """Fits the estimator on `[..., channels]` activations; returns the estimator."""
        self._is_fit = True
        return ChannelReducer._apply_flat(self._reducer.fit, acts)

    def fit_transform(self, acts):
        """Fits and reduces: `[..., channels]` -> `[..., n_components]`."""
        self._is_fit = True
        return ChannelReducer._apply_flat(self._reducer.fit_transform, acts)

    def transform(self, acts):
        """Reduces with the fitted estimator: `[..., channels]` -> `[..., n_components]`."""
        return ChannelReducer._apply_flat(self._reducer.transform, acts)

    def __call__(self, acts):
        """`fit_transform` on the first call, `transform` afterwards."""
        if self._is_fit:
            return self.transform(acts)
        return self.fit_transform(acts)

    def __getattr__(self, name):
        # Only called for names not found normally. Lucid returned None for unknown names;
        # raising AttributeError keeps hasattr(), copy and pickle working.
        reducer = self.__dict__.get("_reducer")
        if reducer is not None and name + "_" in vars(reducer):
            return vars(reducer)[name + "_"]
        raise AttributeError(
            f"ChannelReducer has no attribute {name!r} (fitted estimator attributes are "
            f"available after fit(), without the trailing underscore)."
        )

    def __dir__(self):
        fitted = [
            name[:-1]
            for name in dir(self._reducer)
            if name.endswith("_") and not name.startswith("_")
        ]
        return list(ChannelReducer.__dict__) + list(self.__dict__) + fitted
