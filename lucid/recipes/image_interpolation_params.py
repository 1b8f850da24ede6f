"""A parameterization for aligned interpolations between every pair of N objectives.

Rendering "objective a turning into objective b" for many pairs gives nicer results when
the frames share structure. :func:`multi_interpolation_basis` builds all the frames from
shared low-resolution variables: one constant term shared by everything, one two-frame
interpolation per objective, and one free term per unordered pair.
"""

import numbers

import tensorflow.compat.v1 as tf

from lucid.optvis.param.lowres import lowres_tensor


def _check_positive_int(name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            f"multi_interpolation_basis: {name} must be a positive int; got {name}={value!r}."
        )


def multi_interpolation_basis(
    n_objectives: int = 6, n_interp_steps: int = 5, width: int = 128, channels: int = 3
) -> tf.Tensor:
    """Interpolation frames between each pair of N objectives, sharing parameters.

    Args:
      n_objectives: number of objectives N to interpolate between.
      n_interp_steps: frames M per interpolation.
      width: image height and width W (at least 8: the coarsest level is ``W // 8``).
      channels: image channels C.

    Returns:
      An unconstrained float32 tensor ``t`` of shape ``[N, N, M, W, W, C]`` (apply e.g.
      ``param.to_valid_rgb`` to get images) where ``t[a, b]`` are the frames from
      objective ``a`` to objective ``b``, and ``t[a, b] == t[b, a, ::-1]`` exactly.

    Fixes two Lucid bugs: the frames of pair (b, a) reused the free term of pair
    (a, N - b) instead of (a, b), so the symmetry above did not hold; and the diagonal's
    zero term always had 3 channels, so ``channels != 3`` failed.
    """
    _check_positive_int("n_objectives", n_objectives)
    _check_positive_int("n_interp_steps", n_interp_steps)
    _check_positive_int("width", width)
    _check_positive_int("channels", channels)
    if width < 8:
        raise ValueError(
            f"multi_interpolation_basis: width must be at least 8 (the coarsest level is "
            f"width // 8); got width={width}."
        )
    N, M, W, Ch = n_objectives, n_interp_steps, width, channels

    # Shared by every frame: a small Laplacian-pyramid-like sum of resolutions.
    const_term = tf.add_n([lowres_tensor([W, W, Ch], [W // k, W // k, Ch]) for k in [1, 2, 4, 8]])
    const_term = tf.reshape(const_term, [1, 1, 1, W, W, Ch])

    # Per objective: a two-keyframe tensor interpolated over the M steps; pair (a, b) runs
    # objective a's forwards and objective b's backwards.
    example_interps = [
        tf.add_n([lowres_tensor([M, W, W, Ch], [2, W // k, W // k, Ch]) for k in [1, 2, 4, 8]])
        for _ in range(N)
    ]
    example_basis = [
        [example_interps[a] + example_interps[b][::-1] for b in range(N)] for a in range(N)
    ]

    # Per unordered pair: a free term, reversed for the opposite direction; zero on the
    # diagonal.
    interp_basis = []
    for a in range(N):
        row = [interp_basis[b][a][::-1] for b in range(a)]
        row.append(tf.zeros([M, W, W, Ch]))
        for _ in range(a + 1, N):
            row.append(
                tf.add_n([lowres_tensor([M, W, W, Ch], [M, W // k, W // k, Ch]) for k in [1, 2]])
            )
        interp_basis.append(row)

    basis = tf.stack([tf.stack(example_basis[a]) + tf.stack(interp_basis[a]) for a in range(N)])
    return basis + const_term
