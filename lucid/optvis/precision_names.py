"""The names of the arithmetic precisions a render can run in, without importing TensorFlow.

``lucid.optvis.precision`` implements them; the command lines validate ``--precision``
with these names before TensorFlow is imported.
"""

FLOAT32 = "float32"
BFLOAT16 = "bfloat16"
PRECISIONS = (FLOAT32, BFLOAT16)
