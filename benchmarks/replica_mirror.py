"""The InceptionV1 replica served as a local model-zoo mirror, so the benchmarks run offline.

The replica (``modelzoo/replicas``) has InceptionV1's exact node names and shapes and random
weights, which cost the same per step as the real ones.
"""

import contextlib
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def replica_mirror():
    """Yields ``{"LUCID_MODELZOO_MIRROR": ..., "LUCID_CACHE_DIR": ...}`` for a temporary mirror
    holding the InceptionV1 replica and an empty cache; both are deleted afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        mirror, cache = Path(tmp, "mirror"), Path(tmp, "cache")
        subprocess.run(
            [sys.executable, "-m", "modelzoo.build_mirror", str(mirror), "--models", "InceptionV1"],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        yield {"LUCID_MODELZOO_MIRROR": str(mirror), "LUCID_CACHE_DIR": str(cache)}
