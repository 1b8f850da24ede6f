"""Every model of the Lucid model zoo, importable from one place.

    import lucid.modelzoo.vision_models as models
    model = models.InceptionV1()
    model = models.ShapesNet()      # bundled with the package: loads offline

Each class only describes its model (paths, input format, declared layers); nothing is
downloaded until a graph or labels are first used. See ``lucid.modelzoo.vision_base.Model``.
"""

from lucid.modelzoo.caffe_models import AlexNet_caffe_Places365
from lucid.modelzoo.caffe_models import CaffeNet_caffe
from lucid.modelzoo.caffe_models import InceptionV1_caffe
from lucid.modelzoo.caffe_models import InceptionV1_caffe_Places205
from lucid.modelzoo.caffe_models import InceptionV1_caffe_Places365
from lucid.modelzoo.caffe_models import VGG16_caffe
from lucid.modelzoo.caffe_models import VGG19_caffe
from lucid.modelzoo.other_models import AlexNet
from lucid.modelzoo.other_models import Clip_ResNet50_4x
from lucid.modelzoo.other_models import InceptionV1
from lucid.modelzoo.other_models import InceptionV1_adv_finetuned
from lucid.modelzoo.other_models import ShapesNet
from lucid.modelzoo.slim_models import InceptionResnetV2_slim
from lucid.modelzoo.slim_models import InceptionV1_slim
from lucid.modelzoo.slim_models import InceptionV2_slim
from lucid.modelzoo.slim_models import InceptionV3_slim
from lucid.modelzoo.slim_models import InceptionV4_slim
from lucid.modelzoo.slim_models import MobilenetV1_025_slim
from lucid.modelzoo.slim_models import MobilenetV1_050_slim
from lucid.modelzoo.slim_models import MobilenetV1_slim
from lucid.modelzoo.slim_models import MobilenetV2_10_slim
from lucid.modelzoo.slim_models import MobilenetV2_14_slim
from lucid.modelzoo.slim_models import NasnetLarge_slim
from lucid.modelzoo.slim_models import NasnetMobile_slim
from lucid.modelzoo.slim_models import PnasnetLarge_slim
from lucid.modelzoo.slim_models import PnasnetMobile_slim
from lucid.modelzoo.slim_models import ResnetV1_50_slim
from lucid.modelzoo.slim_models import ResnetV1_101_slim
from lucid.modelzoo.slim_models import ResnetV1_152_slim
from lucid.modelzoo.slim_models import ResnetV2_50_slim
from lucid.modelzoo.slim_models import ResnetV2_101_slim
from lucid.modelzoo.slim_models import ResnetV2_152_slim
from lucid.modelzoo.vision_base import Layer  # noqa: F401 (importable, as in Lucid; not in __all__)
from lucid.modelzoo.vision_base import Model

__all__ = [
    "Model",
    "ShapesNet",
    "AlexNet_caffe_Places365",
    "InceptionV1_caffe",
    "InceptionV1_caffe_Places205",
    "InceptionV1_caffe_Places365",
    "CaffeNet_caffe",
    "VGG16_caffe",
    "VGG19_caffe",
    "AlexNet",
    "Clip_ResNet50_4x",
    "InceptionV1",
    "InceptionV1_adv_finetuned",
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
