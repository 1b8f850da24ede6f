"""Models exported from TF-slim's image classification library."""

from lucid.modelzoo.slim_models.Inception import InceptionResnetV2_slim
from lucid.modelzoo.slim_models.Inception import InceptionV1_slim
from lucid.modelzoo.slim_models.Inception import InceptionV2_slim
from lucid.modelzoo.slim_models.Inception import InceptionV3_slim
from lucid.modelzoo.slim_models.Inception import InceptionV4_slim
from lucid.modelzoo.slim_models.MobilenetV1 import MobilenetV1_025_slim
from lucid.modelzoo.slim_models.MobilenetV1 import MobilenetV1_050_slim
from lucid.modelzoo.slim_models.MobilenetV1 import MobilenetV1_slim
from lucid.modelzoo.slim_models.MobilenetV2 import MobilenetV2_10_slim
from lucid.modelzoo.slim_models.MobilenetV2 import MobilenetV2_14_slim
from lucid.modelzoo.slim_models.others import NasnetLarge_slim
from lucid.modelzoo.slim_models.others import NasnetMobile_slim
from lucid.modelzoo.slim_models.others import PnasnetLarge_slim
from lucid.modelzoo.slim_models.others import PnasnetMobile_slim
from lucid.modelzoo.slim_models.ResNetV1 import ResnetV1_50_slim
from lucid.modelzoo.slim_models.ResNetV1 import ResnetV1_101_slim
from lucid.modelzoo.slim_models.ResNetV1 import ResnetV1_152_slim
from lucid.modelzoo.slim_models.ResNetV2 import ResnetV2_50_slim
from lucid.modelzoo.slim_models.ResNetV2 import ResnetV2_101_slim
from lucid.modelzoo.slim_models.ResNetV2 import ResnetV2_152_slim

__all__ = [
    "InceptionV1_slim",
    "InceptionV2_slim",
    "InceptionV3_slim",
    "InceptionV4_slim",
    "InceptionResnetV2_slim",
    "MobilenetV1_slim",
    "MobilenetV1_050_slim",
    "MobilenetV1_025_slim",
    "MobilenetV2_10_slim",
    "MobilenetV2_14_slim",
    "ResnetV1_50_slim",
    "ResnetV1_101_slim",
    "ResnetV1_152_slim",
    "ResnetV2_50_slim",
    "ResnetV2_101_slim",
    "ResnetV2_152_slim",
    "NasnetMobile_slim",
    "NasnetLarge_slim",
    "PnasnetMobile_slim",
    "PnasnetLarge_slim",
]
