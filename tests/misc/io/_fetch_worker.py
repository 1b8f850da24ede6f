"""Runs in spawned processes by test_reading.py (kept free of TensorFlow imports)."""

import hashlib


def fetch(url, barrier, results):
    from lucid.misc.io import reading

    barrier.wait()  # start every process's fetch at the same moment
    path = reading.fetch_to_cache(url)
    with open(path, "rb") as f:
        results.put(hashlib.sha256(f.read()).hexdigest())
