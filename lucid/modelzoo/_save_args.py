"""Implementation of ``Model.suggest_save_args``: guess how to describe a graph for ``Model.save``."""

import numbers
import warnings

import tensorflow.compat.v1 as tf
from tensorflow.core.framework import types_pb2

from lucid.modelzoo import util
from lucid.modelzoo.image_input import check_value_range

_NEIGHBORHOOD_DEGREE = 5
_UINT8_MAX = 255

_EXAMPLES = {
    "input_name": "input",
    "image_shape": [224, 224, 3],
    "output_names": ["logits"],
    "image_value_range": "[-1, 1], [0, 1], [0, 255], or [-117, 138]",
}


def suggest_save_args(graph_def=None):
    """See ``Model.suggest_save_args``."""
    if graph_def is None:
        graph_def = tf.get_default_graph().as_graph_def()
    helper = util.GraphDefHelper(graph_def)
    inferred = dict.fromkeys(("input_name", "image_shape", "output_names", "image_value_range"))

    placeholders = helper.by_op["Placeholder"]
    input_node = None
    if len(placeholders) == 1:
        input_node = placeholders[0]
        inferred.update(_infer_input(helper, input_node))
    else:
        names = [node.name for node in placeholders]
        warnings.warn(
            f"Expected exactly one Placeholder to use as the image input; found {len(names)}: "
            f"{names}. Pass input_name= to Model.save yourself.",
            stacklevel=3,
        )

    if inferred["input_name"] is not None:
        shape = _node_shape(input_node)
        if len(shape) == 4:
            shape = shape[1:]
        if len(shape) == 3 and -1 not in shape:
            print(f"Inferred: image_shape = {shape}")
            inferred["image_shape"] = shape
        else:
            warnings.warn(
                f"Could not infer image_shape: the input's static shape is {_node_shape(input_node)} "
                "(-1 is unknown). Pass image_shape=[h, w, c] to Model.save.",
                stacklevel=3,
            )

    output_names = [node.name for node in helper.by_op["Softmax"]]
    if output_names:
        print(f"Inferred: output_names = {output_names}  (because those are all the Softmax ops)")
        inferred["output_names"] = output_names
    else:
        print("Could not infer output_names.")

    report = [
        "# Please sanity check all inferred values before using this code.",
        "# An incorrect `image_value_range` is the most common cause of feature visualization "
        "bugs! Most methods will fail silently with incorrect visualizations!",
        "Model.save(",
        '    "saved_model.pb",',
    ]
    for key, value in inferred.items():
        if value is not None:
            report.append(f"    {key}={value!r},")
        else:
            report.append(f"    {key}=_,  # TODO (e.g. {_EXAMPLES[key]!r})")
    report.append(")")
    print("\n".join(report))
    return inferred


def _infer_input(helper, placeholder):
    dtype_enum = placeholder.attr["dtype"].type
    dtype_name = types_pb2.DataType.Name(dtype_enum)  # e.g. DT_UINT8, as in the GraphDef
    if tf.as_dtype(dtype_enum).is_floating:
        print(
            f"Inferred: input_name = {placeholder.name} (the only Placeholder in the graph; "
            f"dtype {dtype_name})"
        )
        return {"input_name": placeholder.name}
    print(
        f"The only Placeholder, {placeholder.name!r}, has dtype {dtype_name}, but Lucid feeds "
        "float images. Looking for a division by 255 next to it to use as the input instead."
    )
    warnings.warn(
        f"The only Placeholder, {placeholder.name!r}, has dtype {dtype_name}, not a float "
        "dtype; see the printed suggestion.",
        stacklevel=4,
    )
    neighborhood = helper.neighborhood(placeholder, degree=_NEIGHBORHOOD_DEGREE)
    divisions = [node for node in neighborhood if node.op == "RealDiv"]
    has_255 = any(_is_scalar_const(node, _UINT8_MAX) for node in neighborhood if node.op == "Const")
    if len(divisions) == 1 and has_255:
        name = divisions[0].name
        print(f"Guessed: input_name = {name} (the only division by 255 near the only Placeholder)")
        print("Guessed: image_value_range = (0, 1) (because the input is divided by 255)")
        return {"input_name": name, "image_value_range": (0, 1)}
    print("Could not infer input_name.")
    return {}


def _node_shape(node):
    return [dim.size for dim in node.attr["shape"].shape.dim]


def _is_scalar_const(node, value):
    array = tf.make_ndarray(node.attr["value"].tensor)
    return array.dtype.kind in "iuf" and array.size == 1 and array.item() == value


def check_image_metadata(image_shape, image_value_range):
    """Raises a clear error unless ``image_shape`` is ``[h, w, c]`` and the range is ``(lo, hi)``.

    ``Model.save`` stores both in the graph; a missing value range (``suggest_save_args``
    returns None when it cannot infer one) would otherwise load as a broken model.
    """
    shape_ok = (
        isinstance(image_shape, (list, tuple))
        and len(image_shape) == 3
        and all(isinstance(d, numbers.Integral) and d > 0 for d in image_shape)
    )
    if not shape_ok:
        raise ValueError(
            f"image_shape must be [height, width, channels] with positive ints, e.g. "
            f"{_EXAMPLES['image_shape']}; got {image_shape!r}."
        )
    try:
        check_value_range(image_value_range, image_shape[-1], "Model.save")
    except ValueError as e:
        raise ValueError(
            f"{e} suggest_save_args returns None where it could not infer it: fill it in."
        ) from None
