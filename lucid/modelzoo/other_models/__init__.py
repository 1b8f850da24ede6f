"""Models from other sources: the original AlexNet, InceptionV1 (inception5h), CLIP, and
ShapesNet, the small model bundled with the package (loads offline)."""

from lucid.modelzoo.other_models.AlexNet import AlexNet
from lucid.modelzoo.other_models.Clip import Clip_ResNet50_4x
from lucid.modelzoo.other_models.InceptionV1 import InceptionV1
from lucid.modelzoo.other_models.InceptionV1 import InceptionV1_adv_finetuned
from lucid.modelzoo.other_models.ShapesNet import ShapesNet

__all__ = [
    "AlexNet",
    "Clip_ResNet50_4x",
    "InceptionV1",
    "InceptionV1_adv_finetuned",
    "ShapesNet",
]
