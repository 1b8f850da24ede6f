"""Render feature visualisations: optimise an image parameterisation to maximise an objective.

The one-liner::

    imgs = render.render_vis(model, "mixed4a_pre_relu:476")

builds a fresh ``tf.Graph`` and ``tf.Session`` (so the caller's default graph is never touched
and repeated calls don't accumulate graph state), creates the parameterised image
(``param_f``), applies the robustness transforms, imports the model on the transformed image,
and runs the optimiser. ``make_vis_T`` is the same builder for use inside your own graph and
session.

Runs on the GPU when TensorFlow sees one: the whole step is graph ops (no ``py_func``), and
each step fetches nothing back to the host but the images and losses at ``thresholds``.
"""

import contextlib
import logging

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.misc.io import show
from lucid.optvis import objectives
from lucid.optvis import param
from lucid.optvis import render_util
from lucid.optvis import step as step_lib
from lucid.optvis import transform
from lucid.optvis.step import import_model  # noqa: F401 (Lucid's render.import_model)

log = logging.getLogger(__name__)


def render_vis(
    model,
    objective_f,
    param_f=None,
    optimizer=None,
    transforms=None,
    thresholds=(512,),
    print_objectives=None,
    verbose=True,
    relu_gradient_override=True,
    use_fixed_seed=False,
    progress=None,
    precision="float32",
    rewrites=None,
):
    """Optimises an image to maximise ``objective_f`` and returns it at each threshold.

    Args:
      model: a ``lucid.modelzoo.vision_base.Model``, or a zoo name such as ``"InceptionV1"``
        (looked up as ``nets_factory.get_model`` does).
      objective_f: an ``Objective``, a callable ``T -> scalar tensor``, or the shorthand
        ``"layer:channel"`` (see ``objectives.as_objective``). A non-scalar value (e.g. one
        per image) is maximised as the sum of its elements, as in Lucid (logged at INFO).
      param_f: a callable building the image tensor (`[batch, h, w, c]`, floats in
        `[0, 1]`), e.g. ``lambda: param.image(128, fft=True, decorrelate=True)``; the
        function itself, not its result. Default: an image of the model's
        ``image_shape`` (height, width and channel count; 128 x 128 RGB where unknown, as
        in Lucid), FFT and, for RGB, colour-decorrelated (see ``make_t_image``).
      optimizer: a ``tf.train.Optimizer`` (e.g. ``tf.train.AdamOptimizer(0.05)``, which may
        be created before the call, in eager or graph mode, and reused across calls), a
        callable returning one, or None for ``tf.train.AdamOptimizer(0.05)``.
      transforms: a list (or tuple) of transforms ``t -> t`` applied to the image before
        the model sees it; None means ``transform.standard_transforms``; ``[]`` means none.
      thresholds: distinct steps (0-based) after which the image is recorded; the run
        lasts ``max(thresholds) + 1`` steps.
      print_objectives: objectives whose values are printed at each threshold (verbose).
      verbose: print the step and loss, and ``show`` the images, at each threshold.
      relu_gradient_override: use redirected ReLU gradients for the first 16 steps.
      use_fixed_seed: make the run reproducible: the graph seed is fixed, and while the run
        lasts TensorFlow's deterministic kernels are enabled (a process-wide switch,
        restored afterwards), so two runs give identical images, on CPU and GPU.
      progress: show a progress bar; None (default) shows one when not verbose and the
        run takes more than a couple of seconds.
      precision: "float32" (default), or "bfloat16": the model's convolutions and matrix
        products run in bfloat16 (float16 on a GPU) while the image parameters, transforms,
        loss and optimizer stay float32; faster where the CPU has AVX512-BF16 or AMX, or on a
        GPU. Elsewhere one warning is logged and the render runs in float32. See
        ``lucid.optvis.precision``.
      rewrites: graph rewrites that make each step faster without changing what it
        computes (gradients equal to TensorFlow's to float tolerance): None (default) for
        every rewrite in ``lucid.optvis.rewrites.DEFAULT_NAMES``, ``()`` for none, or names
        from ``rewrites.NAMES``, e.g. ``("relu_schedule", "split_spectrum")``. See
        ``lucid.optvis.rewrites``.

    Returns:
      A list with one numpy array `[batch, h, w, c]` per threshold, in threshold order.
      If interrupted with Ctrl-C, the images recorded so far plus the current image.

    Raises:
      FloatingPointError: the objective became NaN or infinite; the message gives the step.
      ValueError: repeated thresholds, an unknown zoo name or layer, or a neuron position
        outside its layer (the message gives the step and the layer's size).
      TypeError: an argument of the wrong kind, e.g. ``param_f=param.image(64)`` (called).
    """
    model = render_util.resolve_model(model)
    precision, _ = step_lib.check_options(precision, rewrites)
    thresholds = render_util.check_thresholds(thresholds)
    n_steps = max(thresholds) + 1
    graph = tf.Graph()
    with contextlib.ExitStack() as stack:
        if use_fixed_seed:
            stack.enter_context(render_util.deterministic_ops())
        stack.enter_context(graph.as_default())
        sess = stack.enter_context(
            tf.Session(graph=graph, config=step_lib.session_config(precision))
        )
        if use_fixed_seed:
            tf.set_random_seed(0)
        T = make_vis_T(
            model, objective_f, param_f, optimizer, transforms, relu_gradient_override,
            precision=precision, rewrites=rewrites,
        )  # fmt: skip
        print_objective_func = make_print_objective_func(print_objectives, T)
        loss, vis_op, t_image = T("loss"), T("vis_op"), T("input")
        sess.run(tf.global_variables_initializer())
        # Nothing may be added to the graph inside the loop: that would grow memory per step.
        graph.finalize()

        bar = render_util.progress_bar(n_steps, progress, verbose)
        stack.callback(bar.close)
        images = []
        step = 0
        try:
            for step in range(n_steps):
                if step in thresholds:
                    loss_value, _ = _run_step(sess, [loss, vis_op], step)
                    vis = sess.run(t_image)
                    images.append(vis)
                    bar.set_postfix(loss=f"{loss_value:.4g}", refresh=False)
                    if verbose:
                        print(step, loss_value)
                        print_objective_func(sess)
                        show(np.hstack(vis))
                else:
                    _run_step(sess, vis_op, step)
                bar.update(1)
        except KeyboardInterrupt:
            log.warning("Interrupted optimization at step %d; returning the images so far.", step)
            vis = sess.run(t_image)
            images.append(vis)
            if verbose:
                show(np.hstack(vis))
        return images


def _run_step(sess, fetches, step):
    return render_util.run_step(sess, fetches, step)


def make_vis_T(
    model,
    objective_f,
    param_f=None,
    optimizer=None,
    transforms=None,
    relu_gradient_override=False,
    precision="float32",
    rewrites=None,
):
    """Builds a visualisation in the default graph and returns its accessor ``T``.

    ``T(name)`` returns the builder's own tensors and ops by name (``"vis_op"``, ``"loss"``,
    ``"t_image"``, ``"global_step"``, ``"optimizer"``, ``"objective_f"``,
    ``"transform_f"``, ``"init_global_step"``) and otherwise the model's layers:
    ``T("input")`` is the untransformed image, ``T("mixed4a")`` a layer.

    The global step and the image variables are created, not initialised: run
    ``tf.global_variables_initializer()`` before stepping. (Running anything earlier would make
    building that initializer modify ops the session has run, which TensorFlow warns about.)
    A non-scalar objective is optimised as the sum of its elements, as in Lucid. Works in
    TF2 programs inside ``with tf.Graph().as_default(), tf.Session():`` and in TF1-style
    code once the user has disabled v2 behaviour (e.g. under ``misc.tfutil.create_session()``).
    Running ``T("vis_op")`` takes one optimisation step; it fails with "objective is not
    finite" if the objective is NaN or infinite, without updating the image. ``model``,
    ``objective_f``, ``param_f``, ``precision`` and ``rewrites`` are as in
    :func:`render_vis`; the rewrites are recorded in the default graph
    (``rewrites.enable_in_graph``), replacing any recorded there before. The session runs
    ``precision="bfloat16"`` only if it was created with its options:
    ``tf.Session(config=lucid.optvis.precision.session_config("bfloat16"))``; in any other
    session the same graph runs in float32.
    """
    model = render_util.resolve_model(model)
    step_lib.check_options(precision, rewrites)
    objective_f = objectives.as_objective(objective_f, name="objective_f")
    transform_f = make_transform_f(transforms)
    optimizer = make_optimizer(optimizer, [])
    step = step_lib.build_step(
        model,
        image_f=lambda: make_t_image(param_f, model),
        transform_f=transform_f,
        loss_f=lambda T: render_util.scalar_loss(objective_f(T), objective_f),
        optimizer=optimizer,
        relu_gradient_override=relu_gradient_override,
        precision=precision,
        rewrites=rewrites,
        description=render_util.describe(objective_f),
    )
    T = step.T
    init_global_step = tf.variables_initializer([step.global_step])

    local_names = {
        "t_image": step.t_image,
        "objective_f": objective_f,
        "transform_f": transform_f,
        "optimizer": optimizer,
        "global_step": step.global_step,
        "init_global_step": init_global_step,
        "loss": step.loss,
        "vis_op": step.vis_op,
        "T": T,
    }

    def T2(name):
        if name in local_names:
            return local_names[name]
        return T(name)

    return T2


def make_t_image(param_f, model=None):
    """The image tensor: ``param_f()`` for a callable, a tensor of the default graph as is.

    For ``param_f=None`` the default image: ``param.image`` of ``model``'s height, width and
    channel count (``render_util.default_image_shape``; 128 x 128 RGB without a model), FFT,
    colour-decorrelated when RGB. An eager tensor (``param.image(64)`` called in eager mode
    instead of passed) is a TypeError saying to pass the function.
    """
    if param_f is None:
        t_image = default_image(model)
    elif render_util.is_eager(param_f):
        raise TypeError(render_util.eager_value_message(param_f, "lambda: param.image(64)"))
    elif tf.is_tensor(param_f):
        t_image = param_f
    elif callable(param_f):
        t_image = param_f()
    else:
        raise TypeError(
            f"param_f must be a callable that builds the image tensor, or a tensor; got {type(param_f).__name__}. "
            "Use e.g. param_f=lambda: param.image(128)."
        )
    if tf.is_tensor(t_image) and not isinstance(t_image, tf.Tensor):
        # A variable: a RefVariable with v2 behaviour disabled, a ResourceVariable in TF2.
        t_image = tf.convert_to_tensor(t_image)
    if not isinstance(t_image, tf.Tensor):
        raise TypeError(
            f"param_f returned a {type(t_image).__name__}, not a tensor. param_f must build graph ops "
            "and return the image tensor [batch, h, w, c], e.g. lambda: param.image(128)."
        )
    if render_util.is_eager(t_image):
        raise TypeError(
            "param_f returned an eager tensor: it must build the image with graph ops when "
            "called (e.g. lambda: param.image(64)), not return a tensor made beforehand."
        )
    if t_image.graph is not tf.get_default_graph():
        raise TypeError(
            "param_f produced a t_image tensor belonging to a graph that isn't the default graph for "
            "rendering. Pass a function (e.g. a lambda) that builds the tensor, not a tensor built "
            "beforehand, or use make_vis_T inside your own graph."
        )
    if t_image.shape.ndims is not None and t_image.shape.ndims != 4:
        raise ValueError(
            f"param_f must produce a [batch, height, width, channels] image; got shape {t_image.shape}."
        )
    return t_image


def default_image(model=None):
    """``param.image`` of ``model``'s image shape: `[1, h, w, c]` in `[0, 1]`.

    RGB images are FFT and colour-decorrelated, as Lucid's default ``param.image(128)``;
    other channel counts are a sigmoid of FFT parameters (``param.image(..., channels=c)``).
    """
    height, width, channels = render_util.default_image_shape(model)
    if channels == render_util.DEFAULT_CHANNELS:
        return param.image(width, height)
    return param.image(width, height, channels=channels)


def make_transform_f(transforms):
    """Composes ``transforms`` (None: ``transform.standard_transforms``) into one function."""
    if transforms is None:
        transforms = transform.standard_transforms
    if not isinstance(transforms, (list, tuple)):
        raise TypeError(
            f"transforms must be a list of transform functions (or None for the standard ones); "
            f"got {type(transforms).__name__}."
        )
    for i, t in enumerate(transforms):
        if not callable(t):
            raise TypeError(
                f"transforms[{i}] is {t!r}, not a transform. Use functions such as transform.jitter(8)."
            )
    return transform.compose(list(transforms))


def make_optimizer(optimizer, args):
    """The optimizer: Adam(0.05) for None, ``optimizer(*args)`` for a callable, or as given."""
    if optimizer is None:
        return tf.train.AdamOptimizer(0.05)
    if isinstance(optimizer, tf.train.Optimizer):
        return optimizer
    if callable(optimizer):
        result = optimizer(*args)
        if not isinstance(result, tf.train.Optimizer):
            raise TypeError(
                f"the optimizer callable returned {type(result).__name__}, not a tf.train.Optimizer "
                "(e.g. tf.train.AdamOptimizer(0.05))."
            )
        return result
    raise TypeError(
        f"optimizer must be a tf.train.Optimizer (e.g. tf.train.AdamOptimizer(0.05)), a callable "
        f"returning one, or None; got {type(optimizer).__name__}."
    )


def make_print_objective_func(print_objectives, T):
    """Returns ``f(sess)`` that prints each objective's value as ``"01: description:  value"``."""
    print_objectives = [objectives.as_objective(obj) for obj in (print_objectives or [])]
    descriptions = [render_util.describe(obj) for obj in print_objectives]
    values = [render_util.scalar_loss(obj(T), obj) for obj in print_objectives]

    def print_objective_func(sess):
        for k, (description, result) in enumerate(zip(descriptions, sess.run(values))):
            print(f"{k + 1:02d}: {description}: {result:7.2f}")

    return print_objective_func
