"""Fixtures of the rewrite tests: the InceptionV1 replica, built once per test session."""

import pytest

from modelzoo.build_mirror import MODEL_FILES
from modelzoo.build_mirror import build_mirror


@pytest.fixture(scope="session")
def inception_v1(tmp_path_factory):
    """The InceptionV1 replica (random weights, InceptionV1's graph)."""
    from lucid.modelzoo.vision_models import InceptionV1

    root = tmp_path_factory.mktemp("mirror")
    build_mirror(str(root), models=["InceptionV1"])
    model = InceptionV1()
    model.model_path = str(root / MODEL_FILES["InceptionV1"])
    return model
