"""The zoo's real path (download, cache, import, post_import, render) against a local mirror.

The replica mirror (tests/modelzoo/conftest.py) is served by the local HTTP server and
``LUCID_MODELZOO_MIRROR`` points at it, so ``models.InceptionV1()`` downloads
``gs://modelzoo/vision/other_models/InceptionV1.pb`` from 127.0.0.1 into a per-test
``LUCID_CACHE_DIR``, verified against the mirror's ``SHA256SUMS``. Faults are injected in the
server; after each, the cache must hold no file that a later run would trust wrongly.
"""

import hashlib
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import lucid.modelzoo.vision_models as models
from lucid.misc.io import reading
from modelzoo.build_mirror import MODEL_FILES

INCEPTION_PATH = MODEL_FILES["InceptionV1"]
ALEXNET_PATH = MODEL_FILES["AlexNet"]
ALEXNET_URL = "gs://modelzoo/" + ALEXNET_PATH
INCEPTION_URL = "gs://modelzoo/" + INCEPTION_PATH
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _link_tree(source, target):
    """Hard-links (or copies) every file of ``source`` into ``target``."""
    for path in source.rglob("*"):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, destination)
            except OSError:
                shutil.copyfile(path, destination)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty ``LUCID_CACHE_DIR`` with fast retries and no mirror or offline setting."""
    for name in ("LUCID_MODELZOO_MIRROR", "LUCID_OFFLINE", "LUCID_DOWNLOAD_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LUCID_DOWNLOAD_TIMEOUT", "10")
    monkeypatch.setenv("LUCID_DOWNLOAD_BACKOFF", "0.01")
    monkeypatch.setenv("LUCID_PROGRESS", "0")
    directory = tmp_path / "cache"
    monkeypatch.setenv("LUCID_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def zoo(http_server, replica_mirror, cache, monkeypatch):
    """The HTTP server serving the replica mirror, with LUCID_MODELZOO_MIRROR set to it."""
    _link_tree(replica_mirror, http_server.root)
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", http_server.url)
    return http_server


@pytest.fixture
def sums(replica_mirror):
    """``{relative path: sha256}`` from the mirror's SHA256SUMS."""
    lines = (replica_mirror / "SHA256SUMS").read_text().splitlines()
    return {path: digest for digest, path in (line.split("  ", 1) for line in lines)}


def assert_cache_trustworthy(cache_dir, sums):
    """Every cached zoo file matches the mirror's SHA256SUMS and has a record saying so.

    Nothing else is left: no partial download, no lock file, no orphaned record.
    """
    if not cache_dir.exists():
        return
    names = {path.name for path in cache_dir.iterdir()}
    for name in names:
        assert not name.startswith(".tmp-"), f"partial download left in the cache: {name}"
        assert not name.endswith(".lock"), f"lock file left in the cache: {name}"
        if name.startswith("."):
            assert name.endswith(".json") and name[1:-5] in names, f"orphaned record: {name}"
            continue
        matches = [
            p
            for p in sums
            if reading.local_cache_path("gs://modelzoo/" + p) == str(cache_dir / name)
        ]
        assert matches, f"unexpected file in the cache: {name}"
        digest = hashlib.sha256((cache_dir / name).read_bytes()).hexdigest()
        assert digest == sums[matches[0]], f"corrupt file in the cache: {name}"
        record = reading.cache_record("gs://modelzoo/" + matches[0])
        assert record is not None and record.sha256 == digest, f"no true record for {name}"


def _cached(url):
    return os.path.exists(reading.local_cache_path(url))


# The real path, end to end


def test_inception_v1_downloads_once_imports_and_reads_layers(zoo, cache, sums):
    model = models.InceptionV1()
    model.load_graphdef()
    assert zoo.requests(INCEPTION_PATH) == 1
    assert _cached(INCEPTION_URL)
    models.InceptionV1().load_graphdef()  # a new instance reads the verified cache
    assert zoo.requests(INCEPTION_PATH) == 1
    assert_cache_trustworthy(cache, sums)

    with tf.Graph().as_default(), tf.Session() as sess:
        t_input = tf.placeholder(tf.float32, [None, None, None, 3])
        T = model.import_graph(t_input, scope="import")
        for layer in model.layers:
            assert T(layer.name).shape[-1] == layer.depth, layer.name
        mixed4a_pre_relu, mixed4a = sess.run(
            [T("mixed4a_pre_relu"), T("mixed4a")], {t_input: np.full((1, 64, 64, 3), 0.5)}
        )
    assert mixed4a_pre_relu.shape == (1, 4, 4, 508)
    np.testing.assert_array_equal(np.maximum(mixed4a_pre_relu, 0), mixed4a)

    labels = model.labels
    assert len(labels) == 1008 and labels[0] == "dummy"
    assert len(model.synset_ids) == 1008
    assert zoo.requests("labels/ImageNet_alternate.txt") == 1

    images = np.random.default_rng(0).uniform(0, 1, (3, 64, 64, 3)).astype(np.float32)
    acts = model.get_activations("mixed4a", images, batch_size=2)
    assert acts.shape == (3, 4, 4, 508)
    assert np.all(acts >= 0) and acts.max() > 0
    assert zoo.requests(INCEPTION_PATH) == 1


def test_render_vis_on_the_downloaded_inception_v1(zoo):
    from lucid.optvis import param
    from lucid.optvis import render

    model = models.InceptionV1()
    first, last = render.render_vis(
        model,
        "mixed4a_pre_relu:476",
        param_f=lambda: param.image(128),  # smaller than the model's 224: quicker
        thresholds=(0, 4),
        verbose=False,
        use_fixed_seed=True,
    )
    assert first.shape == last.shape == (1, 128, 128, 3)
    assert np.all(np.isfinite(last)) and 0 <= last.min() and last.max() <= 1
    with tf.Graph().as_default(), tf.Session() as sess:
        t_input = tf.placeholder(tf.float32, [None, 128, 128, 3])
        T = model.import_graph(t_input)
        unit = tf.reduce_mean(T("mixed4a_pre_relu")[..., 476])
        before, after = (sess.run(unit, {t_input: image}) for image in (first, last))
    assert after > before  # the optimization did maximize the unit
    assert zoo.requests(INCEPTION_PATH) == 1


def test_alexnet_downloads_imports_and_reads_layers(zoo, cache, sums):
    model = models.AlexNet()
    assert model.get_layer("Conv2D_3").depth == 384
    images = np.random.default_rng(1).uniform(0, 1, (2, 227, 227, 3)).astype(np.float32)
    conv = model.get_activations("Conv2D_3", images)
    assert conv.shape == (2, 13, 13, 384)
    probabilities = model.get_activations("Softmax", images)
    np.testing.assert_allclose(probabilities.sum(axis=-1), [1, 1], rtol=1e-5)
    labels = model.labels
    assert len(labels) == 1000 and "dummy" not in labels
    assert len(model.synset_ids) == 1000
    assert zoo.requests(ALEXNET_PATH) == 1
    assert_cache_trustworthy(cache, sums)


def test_directory_mirror_is_read_in_place(replica_mirror, cache, monkeypatch):
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", str(replica_mirror))
    model = models.InceptionV1()
    model.load_graphdef()
    assert model.labels[0] == "dummy"
    with tf.Graph().as_default():
        T = model.import_graph()
        assert T("mixed5b").shape[-1] == 1024
    assert not _cached(INCEPTION_URL)  # a directory mirror is not copied into the cache


# Faults through the real loader


def test_truncated_body_is_retried_and_the_cache_stays_clean(zoo, cache, sums):
    zoo.fault(ALEXNET_PATH, "truncate", times=1)
    models.AlexNet().load_graphdef()
    assert zoo.requests(ALEXNET_PATH) == 2
    assert_cache_trustworthy(cache, sums)


def test_truncated_body_every_time_fails_clearly_and_caches_nothing(zoo, cache, monkeypatch, sums):
    monkeypatch.setenv("LUCID_DOWNLOAD_ATTEMPTS", "2")
    zoo.fault(ALEXNET_PATH, "truncate")
    with pytest.raises(reading.DownloadError) as error:
        models.AlexNet().load_graphdef()
    message = str(error.value)
    assert ALEXNET_URL in message and "truncated" in message and "2 attempts" in message
    assert zoo.requests(ALEXNET_PATH) == 2
    assert not _cached(ALEXNET_URL)
    assert_cache_trustworthy(cache, sums)


def test_wrong_bytes_fail_the_mirror_checksum_and_are_purged(zoo, cache, sums):
    zoo.fault(ALEXNET_PATH, "corrupt")
    with pytest.raises(reading.DownloadError, match="Checksum mismatch") as error:
        models.AlexNet().load_graphdef()
    message = str(error.value)
    assert ALEXNET_URL in message and sums[ALEXNET_PATH] in message
    assert not _cached(ALEXNET_URL)
    assert_cache_trustworthy(cache, sums)
    zoo.clear_faults()
    models.AlexNet().load_graphdef()  # the next run downloads the right file
    assert_cache_trustworthy(cache, sums)


def test_corrupted_cache_file_is_detected_and_downloaded_again(zoo, cache, sums):
    models.AlexNet().load_graphdef()
    cached = reading.local_cache_path(ALEXNET_URL)
    with open(cached, "r+b") as f:
        f.seek(1000)
        f.write(b"\0" * 16)  # damage it in place, as a failing disk would
    models.AlexNet().load_graphdef()
    assert zoo.requests(ALEXNET_PATH) == 2
    assert_cache_trustworthy(cache, sums)


def test_server_error_then_success(zoo, cache, sums):
    zoo.fault(INCEPTION_PATH, "status", code=500, times=2)
    model = models.InceptionV1()
    model.load_graphdef()
    assert zoo.requests(INCEPTION_PATH) == 3
    assert len(model.graph_def.node) > 300
    assert_cache_trustworthy(cache, sums)


def test_not_found_names_the_url_and_what_to_do(zoo, cache, sums):
    (zoo.root / ALEXNET_PATH).unlink()
    with pytest.raises(reading.DownloadError) as error:
        models.AlexNet().load_graphdef()
    message = str(error.value)
    assert error.value.status == 404
    assert ALEXNET_URL in message and zoo.url + ALEXNET_PATH in message
    assert "LUCID_MODELZOO_MIRROR" in message and reading.local_cache_path(ALEXNET_URL) in message
    assert zoo.requests(ALEXNET_PATH) == 1  # a 404 is not retried
    assert_cache_trustworthy(cache, sums)


def test_timeout_is_retried_then_fails_clearly(zoo, cache, monkeypatch, sums):
    monkeypatch.setenv("LUCID_DOWNLOAD_TIMEOUT", "0.3")
    monkeypatch.setenv("LUCID_DOWNLOAD_ATTEMPTS", "2")
    zoo.fault(ALEXNET_PATH, "delay", seconds=3, times=1)
    models.AlexNet().load_graphdef()  # the second attempt is answered at once
    assert zoo.requests(ALEXNET_PATH) == 2
    zoo.fault(INCEPTION_PATH, "delay", seconds=3)
    with pytest.raises(reading.DownloadError, match="timed out") as error:
        models.InceptionV1().load_graphdef()
    assert INCEPTION_URL in str(error.value)
    assert not _cached(INCEPTION_URL)
    assert_cache_trustworthy(cache, sums)


def test_offline_cache_miss_is_a_clear_error(zoo, cache, monkeypatch):
    monkeypatch.setenv("LUCID_OFFLINE", "1")
    with pytest.raises(reading.DownloadError, match="LUCID_OFFLINE") as error:
        models.AlexNet().load_graphdef()
    assert reading.local_cache_path(ALEXNET_URL) in str(error.value)
    assert zoo.requests(ALEXNET_PATH) == 0
    monkeypatch.delenv("LUCID_OFFLINE")
    models.AlexNet().load_graphdef()
    monkeypatch.setenv("LUCID_OFFLINE", "1")
    models.AlexNet().load_graphdef()  # a hit needs no network
    assert zoo.requests(ALEXNET_PATH) == 1


_WORKER = """
import hashlib, sys
from lucid.misc.io import reading
print("ready", flush=True)
sys.stdin.readline()  # wait for "go", so every process fetches at the same moment
path = reading.fetch_to_cache(sys.argv[1])
print(hashlib.sha256(open(path, "rb").read()).hexdigest())
"""


def test_several_processes_loading_at_once_download_once(zoo, cache, sums):
    # The first request is held half a second, so the others find the download in flight.
    zoo.fault(ALEXNET_PATH, "delay", seconds=0.5, times=1)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, ALEXNET_URL],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready", worker.communicate(timeout=60)
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outputs = [worker.communicate(timeout=60) for worker in workers]
    for worker, (_, stderr) in zip(workers, outputs):
        assert worker.returncode == 0, stderr
    assert [out.strip() for out, _ in outputs] == [sums[ALEXNET_PATH]] * 3
    assert zoo.requests(ALEXNET_PATH) == 1
    assert_cache_trustworthy(cache, sums)
    model = models.AlexNet()
    model.load_graphdef()  # this process uses the same cached copy
    assert zoo.requests(ALEXNET_PATH) == 1
