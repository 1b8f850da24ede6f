"""The image encoder of OpenAI's CLIP (ResNet-50 4x)."""

from lucid.modelzoo.vision_base import Model


class Clip_ResNet50_4x(Model):
    """The image encoder of OpenAI's CLIP RN50x4 (`[1, 288, 288, 3]` input in ``[0, 255]``).

    No labels and no layers are declared; pass tensor names to ``T``.

    References: Radford et al. 2021, https://arxiv.org/abs/2103.00020
    """

    model_name = "Clip_ResNet50_4x"
    model_path = "gs://modelzoo/vision/other_models/Clip_ResNet50_4x.pb"
    image_shape = [288, 288, 3]
    image_value_range = (0, 255)
    input_name = "input_image"
