"""Non-negative matrix factorisation of a layer, and dataset examples of its features.

How it works: :class:`LayerNMF` reduces a layer's `[N, h, w, C]` activations on observations
to ``features`` NMF directions in channel space (``channel_dirs``, `[F, C]`), or fits the
directions on the positive and negative parts of the layer's attribution to a later layer
(``attr_layer_name``), which favours features that matter to that layer. Each feature can
then be shown three ways: a feature visualization (``vis_traditional``), a mosaic of the
observation patches where it is strongest at each position (``vis_dataset``), and a square
thumbnail of its strongest patches (``vis_dataset_thumbnail``). Patches are cut from the
observations padded with a grey checkerboard, so patches at the border keep their size;
a patch's opacity is its activation relative to the strongest patch shown.

References: Hilton et al., "Understanding RL Vision", Distill 2020.
"""

from typing import Optional
from typing import Sequence
from typing import Tuple

import numpy as np

from lucid.misc.channel_reducer import ChannelReducer
from lucid.optvis import objectives
from lucid.optvis import param
from lucid.optvis import render
from lucid.optvis import transform
from lucid.scratch.rl_util.argmax import argmax_nd
from lucid.scratch.rl_util.attribution import get_acts
from lucid.scratch.rl_util.attribution import get_attr

CHECKER_DARK, CHECKER_LIGHT = 0.75, 1.0
VIS_SIZE = 64


class LayerNMF:
    """NMF features of ``layer_name`` and their visualizations.

    Args:
      model: a Lucid ``Model``.
      layer_name: the layer to factorise (non-negative activations, e.g. after a ReLU).
      obses: `[N, H, W, C]` observations the factorisation is fitted on.
      obses_full: observations to cut patches from (default ``obses``), e.g. at a higher
        resolution; same N.
      features: the number of NMF features; None keeps the channels as they are.
      attr_layer_name: fit on the attribution of this later layer to ``layer_name``.
      attr_opts: keyword arguments for :func:`~lucid.scratch.rl_util.attribution.get_attr`.

    Attributes:
      acts_reduced: `[N, h, w, F]` the activations in feature space.
      channel_dirs: `[F, C]` each feature's direction in channel space.
      patch_h, patch_w: observation pixels per activation position (floats).
      transform, inverse_transform: `[..., C]` <-> `[..., F]`.
    """

    def __init__(
        self,
        model,
        layer_name: str,
        obses: np.ndarray,
        obses_full: Optional[np.ndarray] = None,
        features: Optional[int] = 10,
        *,
        attr_layer_name: Optional[str] = None,
        attr_opts: Optional[dict] = None,
    ):
        self.model = model
        self.layer_name = layer_name
        self.obses = obses
        self.obses_full = obses if obses_full is None else obses_full
        self.features = features
        self.pad_h = self.pad_w = 0
        self.padded_obses = self.obses_full
        acts = get_acts(model, layer_name, obses)
        self.patch_h = self.obses_full.shape[1] / acts.shape[1]
        self.patch_w = self.obses_full.shape[2] / acts.shape[2]
        if features is None:
            self.reducer = None
            self.acts_reduced = acts
            self.channel_dirs = np.eye(acts.shape[-1])
            self.features = acts.shape[-1]
            self.transform = lambda acts: np.array(acts, copy=True)
            self.inverse_transform = lambda acts_r: np.array(acts_r, copy=True)
            return
        self.reducer = ChannelReducer(features)
        if attr_layer_name is None:
            self.acts_reduced = self.reducer.fit_transform(acts)
        else:
            opts = {"integrate_steps": 10} if attr_opts is None else attr_opts
            attrs = get_attr(model, attr_layer_name, layer_name, obses, **opts)
            self.reducer.fit(np.concatenate([np.maximum(0, attrs), np.maximum(0, -attrs)]))
            self.acts_reduced = self.reducer.transform(acts)
        self.channel_dirs = self.reducer.components
        self.transform = self.reducer.transform
        # NMF reconstructs `[..., F]` coefficients as their combination of the directions.
        self.inverse_transform = lambda acts_r: np.asarray(acts_r) @ self.channel_dirs

    def vis_traditional(
        self,
        feature_list: Optional[Sequence[int]] = None,
        *,
        transforms=(transform.jitter(2),),
        l2_coeff: float = 0.0,
        l2_layer_name: Optional[str] = None,
        thresholds: Sequence[int] = (512,),
    ) -> np.ndarray:
        """Feature visualizations: `[len(feature_list), 64, 64, 3]` floats in `[0, 1]`.

        Item ``i`` maximises feature ``feature_list[i]`` (all features by default). Lucid
        put feature ``f`` in batch item ``f``, which failed for a partial list.

        Args:
          feature_list: feature indices, or one index.
          transforms: the render transforms.
          l2_coeff: weight of an L2 penalty on ``l2_layer_name`` (needed when non-zero).
          thresholds: optimisation steps, as for ``render.render_vis``.
        """
        if feature_list is None:
            feature_list = range(self.acts_reduced.shape[-1])
        feature_list = [feature_list] if np.isscalar(feature_list) else list(feature_list)
        obj = sum(
            objectives.direction_neuron(self.layer_name, self.channel_dirs[feature], batch=i)
            for i, feature in enumerate(feature_list)
        )
        if l2_coeff != 0.0:
            if l2_layer_name is None:
                raise ValueError(
                    "l2_coeff is non-zero but l2_layer_name is None; name the layer to penalise."
                )
            obj = obj - l2_coeff * objectives.L2(l2_layer_name)
        return render.render_vis(
            self.model,
            obj,
            param_f=lambda: param.image(VIS_SIZE, batch=len(feature_list)),
            transforms=list(transforms),
            thresholds=thresholds,
            verbose=False,
        )[-1]

    def pad_obses(self, *, expand_mult: float = 1) -> None:
        """Pads ``padded_obses`` with a checkerboard (0.75/1.0) wide enough for expanded patches."""
        pad_h = int(np.ceil(self.patch_h * expand_mult))
        pad_w = int(np.ceil(self.patch_w * expand_mult))
        if pad_h <= self.pad_h and pad_w <= self.pad_w:
            return
        self.pad_h, self.pad_w = max(pad_h, self.pad_h), max(pad_w, self.pad_w)
        n, h, w, c = self.obses_full.shape
        checker = np.indices((h + 2 * self.pad_h, w + 2 * self.pad_w)).sum(axis=0) % 2
        checker = CHECKER_DARK + (CHECKER_LIGHT - CHECKER_DARK) * checker
        padded = np.repeat(np.repeat(checker[None, :, :, None], n, axis=0), c, axis=-1)
        padded = padded.astype(self.obses_full.dtype)
        padded[:, self.pad_h : self.pad_h + h, self.pad_w : self.pad_w + w] = self.obses_full
        self.padded_obses = padded

    def get_patch(
        self, obs_index: int, pos_h: float, pos_w: float, *, expand_mult: float = 1
    ) -> np.ndarray:
        """The patch of observation ``obs_index`` centred on activation position ``(pos_h, pos_w)``.

        Positions are in activation cells: cell ``i`` spans ``[i, i + 1)``, so its centre is
        ``i + 0.5``. The patch is ``expand_mult`` cells wide; call :meth:`pad_obses` with the
        same ``expand_mult`` first.
        """
        top = self.pad_h + (pos_h - 0.5 * expand_mult) * self.patch_h
        bottom = self.pad_h + (pos_h + 0.5 * expand_mult) * self.patch_h
        left = self.pad_w + (pos_w - 0.5 * expand_mult) * self.patch_w
        right = self.pad_w + (pos_w + 0.5 * expand_mult) * self.patch_w
        rows = slice(int(round(top)), int(round(bottom)))
        cols = slice(int(round(left)), int(round(right)))
        return self.padded_obses[obs_index, rows, cols]

    def _mosaic(self, obs_indices, poses, acts, expand_mult):
        """RGBA mosaic of patches; opacity is each patch's activation over the largest."""
        self.pad_obses(expand_mult=expand_mult)
        patches = [
            [self.get_patch(o, *p, expand_mult=expand_mult) for o, p in zip(row_o, row_p)]
            for row_o, row_p in zip(obs_indices, poses)
        ]
        min_h = min(p.shape[0] for row in patches for p in row)
        min_w = min(p.shape[1] for row in patches for p in row)
        largest = acts.max()
        opacity = acts / (largest if largest > 0 else 1)
        rows = [
            np.concatenate(
                [
                    np.concatenate(
                        [p[:min_h, :min_w], np.full((min_h, min_w, 1), a, p.dtype)], axis=-1
                    )
                    for p, a in zip(row, row_a)
                ],
                axis=1,
            )
            for row, row_a in zip(patches, opacity)
        ]
        return np.concatenate(rows, axis=0)

    def vis_dataset(
        self, feature: int, *, subdiv_mult: int = 1, expand_mult: float = 1, top_frac: float = 0.1
    ) -> Tuple[np.ndarray, list]:
        """At each position, the observation patch where ``feature`` is strongest.

        Args:
          feature: the feature index.
          subdiv_mult: positions per activation cell along each axis (activations are
            interpolated linearly between cell centres).
          expand_mult: patch size in cells.
          top_frac: each observation may fill at most ``positions / (N * top_frac)``
            positions, so a few observations do not take over the mosaic.

        Returns:
          ``(mosaic, obs_indices)``: `[h*s*ph, w*s*pw, C+1]` RGBA (last channel the opacity)
          and the `[h*s][w*s]` observation index at each position.
        """
        acts = self.acts_reduced[..., feature]
        n, h, w = acts.shape
        pos_h = (np.arange(h * subdiv_mult) + 0.5) / subdiv_mult  # centres, in cells
        pos_w = (np.arange(w * subdiv_mult) + 0.5) / subdiv_mult
        acts_subdiv = _interpolate_cells(acts, pos_h, pos_w)
        max_rep = np.ceil(acts_subdiv[0].size / (n * top_frac))
        (obs_indices,) = argmax_nd(acts_subdiv, axes=[0], max_rep=max_rep, max_rep_strict=False)
        poses = np.stack(np.meshgrid(pos_h, pos_w, indexing="ij"), axis=-1)
        grid_h, grid_w = np.indices(obs_indices.shape)
        patch_acts = acts_subdiv[obs_indices, grid_h, grid_w]
        return self._mosaic(obs_indices, poses, patch_acts, expand_mult), obs_indices.tolist()

    def vis_dataset_thumbnail(
        self,
        feature: int,
        *,
        num_mult: int = 1,
        expand_mult: float = 1,
        max_rep: Optional[int] = None,
    ) -> Tuple[np.ndarray, list]:
        """A ``num_mult x num_mult`` grid of the patches where ``feature`` is strongest.

        Each observation gives its strongest position (no position used more than
        ``max_rep`` times, default ``num_mult``); the ``num_mult**2`` strongest observations
        are laid out by position, top to bottom, then left to right within a row.

        Returns:
          ``(mosaic, obs_indices)``: RGBA mosaic and the `[num_mult][num_mult]` indices.
        """
        if max_rep is None:
            max_rep = num_mult
        acts = self.acts_reduced[..., feature]
        if acts.shape[0] < num_mult**2:
            raise ValueError(
                f"vis_dataset_thumbnail(num_mult={num_mult}) needs at least {num_mult**2} "
                f"observations; LayerNMF has {acts.shape[0]}. Use a smaller num_mult."
            )
        pos_h, pos_w = argmax_nd(acts, axes=[1, 2], max_rep=max_rep, max_rep_strict=True)
        strongest = acts[np.arange(len(acts)), pos_h, pos_w]
        chosen = np.argsort(-strongest, kind="stable")[: num_mult**2]
        by_row = chosen[np.lexsort((pos_w[chosen], pos_h[chosen]))].reshape(num_mult, num_mult)
        obs_indices = np.array([row[np.argsort(pos_w[row], kind="stable")] for row in by_row])
        poses = np.stack([pos_h[obs_indices], pos_w[obs_indices]], axis=-1) + 0.5
        mosaic = self._mosaic(obs_indices, poses, strongest[obs_indices], expand_mult)
        return mosaic, obs_indices.tolist()


def _interpolate_cells(acts, pos_h, pos_w):
    """`[N, h, w]` values at cell centres -> `[N, len(pos_h), len(pos_w)]` (bilinear, clamped)."""

    def weights(positions, size):
        coords = np.clip(positions - 0.5, 0, size - 1)
        low = np.floor(coords).astype(int)
        high = np.minimum(low + 1, size - 1)
        frac = coords - low
        return low, high, frac

    low_h, high_h, frac_h = weights(pos_h, acts.shape[1])
    low_w, high_w, frac_w = weights(pos_w, acts.shape[2])
    rows = acts[:, low_h] * (1 - frac_h)[:, None] + acts[:, high_h] * frac_h[:, None]
    return rows[:, :, low_w] * (1 - frac_w) + rows[:, :, high_w] * frac_w


def rescale_opacity(
    images: np.ndarray,
    min_opacity: float = 15 / 255,
    opaque_frac: float = 0.1,
    max_scale: float = 10,
    keep_zeros: bool = False,
) -> np.ndarray:
    """Rescales the opacity of RGBA images so the strongest parts are fully opaque.

    Per image (`[..., H, W, 4]`), the opacity at the ``1 - opaque_frac`` quantile becomes 1
    (opacities are multiplied by at most ``max_scale``, then clipped to 1), and opacities are
    then mapped linearly from `[0, 1]` to `[min_opacity, 1]` so that nothing disappears.
    With ``keep_zeros``, fully transparent pixels stay transparent.
    """
    images = np.array(images, dtype=np.float64)
    if images.ndim < 3 or images.shape[-1] != 4:
        raise ValueError(
            f"rescale_opacity expects RGBA images [..., H, W, 4]; got shape {images.shape}."
        )
    alpha = images[..., 3]
    flat = alpha.reshape(alpha.shape[:-2] + (-1,))
    threshold = np.quantile(flat, 1 - opaque_frac, axis=-1)[..., None, None]
    scale = np.minimum(
        max_scale,
        np.divide(1.0, threshold, out=np.full_like(threshold, np.inf), where=threshold > 0),
    )
    rescaled = min_opacity + (1 - min_opacity) * np.minimum(1.0, alpha * scale)
    if keep_zeros:
        rescaled = np.where(alpha == 0, 0.0, rescaled)
    images[..., 3] = rescaled
    return images
