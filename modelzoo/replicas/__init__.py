"""Replicas of zoo models: the real graphs' structure and node names, random weights."""

from modelzoo.replicas.alexnet import build_alexnet
from modelzoo.replicas.inception_v1 import build_inception_v1
from modelzoo.replicas.labels import LABEL_FILES
from modelzoo.replicas.labels import label_file_bytes

__all__ = [
    "LABEL_FILES",
    "build_alexnet",
    "build_inception_v1",
    "label_file_bytes",
]
