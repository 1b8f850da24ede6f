"""Lays out a local mirror of ``gs://modelzoo/`` filled with replica models and labels.

Usage::

    python -m modelzoo.build_mirror OUT_DIR [--models InceptionV1 AlexNet] [--seed 0]
    LUCID_MODELZOO_MIRROR=OUT_DIR python -c "import lucid.modelzoo.vision_models as m; ..."

``OUT_DIR`` then holds the same relative paths as the bucket (``vision/other_models/*.pb``,
``labels/ImageNet_*.txt``) plus ``SHA256SUMS`` (``sha256sum`` format, ``<hex>  <path>``, one
line per mirrored file). Serve it over HTTP (``python -m http.server -d OUT_DIR``) or point
``LUCID_MODELZOO_MIRROR`` at the directory itself. The weights are random: see
``modelzoo/README.md``.
"""

import argparse
import hashlib
import os
import sys
import tempfile

from modelzoo.replicas import LABEL_FILES
from modelzoo.replicas import build_alexnet
from modelzoo.replicas import build_inception_v1
from modelzoo.replicas import label_file_bytes

# Model name -> path relative to gs://modelzoo/.
MODEL_FILES = {
    "InceptionV1": "vision/other_models/InceptionV1.pb",
    "AlexNet": "vision/other_models/AlexNet.pb",
}
_BUILDERS = {"InceptionV1": build_inception_v1, "AlexNet": build_alexnet}
SUMS_FILE = "SHA256SUMS"


def replica_bytes(model: str, seed: int = 0) -> bytes:
    """The serialized frozen GraphDef of the replica of ``model`` (deterministic in ``seed``)."""
    if model not in _BUILDERS:
        raise ValueError(f"model={model!r} has no replica; expected one of {sorted(_BUILDERS)}.")
    return _BUILDERS[model](seed).SerializeToString(deterministic=True)


def sha256_file(path: str) -> str:
    """Hex sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomic(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        os.chmod(tmp_path, 0o644)  # mkstemp makes 0600; mirrors are meant to be served
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp_path, path)
    except BaseException:
        os.unlink(tmp_path)
        raise


def build_mirror(out_dir: str, models=tuple(MODEL_FILES), seed: int = 0) -> dict[str, str]:
    """Writes the replicas of ``models``, every label file and ``SHA256SUMS`` under ``out_dir``.

    Files are written atomically, so a reader never sees half a file. ``SHA256SUMS`` lists
    every mirror file present in ``out_dir``, including models written by an earlier call.

    Args:
      out_dir: the mirror root (created if missing); plays the role of ``gs://modelzoo/``.
      models: names among ``MODEL_FILES`` (default: all).
      seed: numpy seed of the replica weights.

    Returns:
      ``{relative_path: sha256 hex}`` of every file listed in ``SHA256SUMS``.
    """
    unknown = [m for m in models if m not in MODEL_FILES]
    if unknown:
        raise ValueError(
            f"models={list(models)!r}: no replica of {unknown}; expected names "
            f"among {sorted(MODEL_FILES)}."
        )
    for model in models:
        _write_atomic(os.path.join(out_dir, MODEL_FILES[model]), replica_bytes(model, seed))
    for relative_path in LABEL_FILES:
        _write_atomic(os.path.join(out_dir, relative_path), label_file_bytes(relative_path))
    sums = {}
    for relative_path in sorted([*MODEL_FILES.values(), *LABEL_FILES]):
        path = os.path.join(out_dir, relative_path)
        if os.path.exists(path):
            sums[relative_path] = sha256_file(path)
    lines = "".join(f"{digest}  {relative_path}\n" for relative_path, digest in sums.items())
    _write_atomic(os.path.join(out_dir, SUMS_FILE), lines.encode("utf-8"))
    return sums


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m modelzoo.build_mirror",
        description="Lay out a gs://modelzoo/ mirror of replica models (random weights).",
    )
    parser.add_argument("out_dir", help="mirror root; set LUCID_MODELZOO_MIRROR to it")
    parser.add_argument(
        "--models",
        nargs="+",
        default=list(MODEL_FILES),
        choices=list(MODEL_FILES),
        help="replicas to build (default: all)",
    )
    parser.add_argument("--seed", type=int, default=0, help="numpy seed of the weights")
    args = parser.parse_args(argv)
    sums = build_mirror(args.out_dir, args.models, args.seed)
    for relative_path, digest in sums.items():
        print(f"{digest}  {relative_path}")
    print(
        f"wrote {len(sums)} files under {args.out_dir}; "
        f"use LUCID_MODELZOO_MIRROR={os.path.abspath(args.out_dir)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
