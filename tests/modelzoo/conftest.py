"""Replica zoo fixtures: a ``gs://modelzoo/`` mirror built once per test session.

The mirror (``modelzoo.build_mirror``) holds random-weight replicas of InceptionV1 (~54 MB)
and AlexNet (~12 MB) with the real files' node names, the ImageNet label files and a
``SHA256SUMS``. Nothing is committed to git; building takes about a second.
"""

import pytest

from modelzoo.build_mirror import MODEL_FILES
from modelzoo.build_mirror import build_mirror


@pytest.fixture(scope="session")
def replica_mirror(tmp_path_factory):
    """Root directory (a ``pathlib.Path``) of the replica mirror; treat it as read-only."""
    root = tmp_path_factory.mktemp("modelzoo_mirror")
    build_mirror(str(root))
    return root


def _replica_model(model_class, mirror_root):
    model = model_class()
    model.model_path = str(mirror_root / MODEL_FILES[model_class.__name__])
    return model


@pytest.fixture(scope="session")
def inception_v1_replica(replica_mirror):
    """An ``InceptionV1`` whose ``model_path`` is the replica file (graph parsed once)."""
    from lucid.modelzoo.vision_models import InceptionV1

    return _replica_model(InceptionV1, replica_mirror)


@pytest.fixture(scope="session")
def alexnet_replica(replica_mirror):
    """An ``AlexNet`` whose ``model_path`` is the replica file (graph parsed once)."""
    from lucid.modelzoo.vision_models import AlexNet

    return _replica_model(AlexNet, replica_mirror)
