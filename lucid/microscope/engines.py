"""Engines run render jobs: in this process, or as Ray tasks on a cluster.

Both call ``lucid.microscope.jobs.run_job``, which writes each result atomically into the
atlas directory, so an engine returns only the seconds its jobs took, summed per kind
(``{"channel": 12.5, ...}``; with Ray, task seconds summed over the workers), and errors;
the driver builds the pages from the files afterwards. With Ray, that directory must be on a file system every node
shares (e.g. NFS), at the same path.

    engines.LocalEngine()                          # default
    engines.RayEngine(address="ray://head:10001")  # or "auto", or an "ip:port" GCS address

Ray is optional (``pip install ray``). Each task asks for one GPU when the cluster has GPUs
(so TensorFlow in the task sees exactly one), else for one CPU.
"""

import collections
import logging
import time
from typing import Dict
from typing import Optional
from typing import Sequence

from lucid.microscope import jobs as jobs_lib
from lucid.microscope import models

log = logging.getLogger(__name__)

ENGINES = ("local", "ray")


class LocalEngine:
    """Runs the jobs one after another in this process."""

    name = "local"

    def run(
        self, model, model_dir: str, jobs: Sequence[jobs_lib.Job], settings, progress=True
    ) -> Dict[str, float]:
        """Renders ``jobs`` of ``model`` (a Model, zoo name or ``module:Class``) into
        ``model_dir``; returns the seconds spent per kind."""
        from tqdm.auto import tqdm

        model = models.resolve_model(model)
        seconds = collections.defaultdict(float)
        for job in tqdm(jobs, desc="render jobs", unit="job", disable=not progress or not jobs):
            seconds[job.kind] += _timed_job(model, model_dir, job, settings)
        return dict(seconds)


class RayEngine:
    """Runs each job as a Ray task on an existing cluster.

    Args:
      address: the cluster, as for ``ray.init(address=...)`` (``"auto"``, ``"ip:port"`` or
        ``"ray://host:10001"``); None lets ``ray.init()`` choose (``RAY_ADDRESS``, else a
        new local instance).
      gpus_per_task: GPUs per task; None: 1 when the cluster has GPUs, else 0.
    """

    name = "ray"

    def __init__(self, address: Optional[str] = None, gpus_per_task: Optional[float] = None):
        self.address = address
        self.gpus_per_task = gpus_per_task

    def run(
        self, model, model_dir: str, jobs: Sequence[jobs_lib.Job], settings, progress=True
    ) -> Dict[str, float]:
        """Submits ``jobs``, waits for all of them, and re-raises the first failure; returns
        the task seconds per kind."""
        if not jobs:
            return {}
        ray = import_ray()
        started = not ray.is_initialized()
        if started:
            ray.init(address=self.address, log_to_driver=False, configure_logging=False)
        try:
            gpus = self.gpus_per_task
            if gpus is None:
                gpus = 1 if ray.cluster_resources().get("GPU", 0) > 0 else 0
            task = ray.remote(num_cpus=1, num_gpus=gpus, max_retries=2)(_run_task)
            model_ref = ray.put(model)
            pending = {task.remote(model_ref, model_dir, job, settings): job.kind for job in jobs}
            return _wait_all(ray, pending, progress)
        finally:
            if started:
                ray.shutdown()


def import_ray():
    """The ``ray`` module, or an ImportError that says how to install it."""
    try:
        import ray
    except ImportError:
        raise ImportError(
            "The Ray engine needs Ray: pip install ray (or pip install 'lucid[distributed]'). "
            "Or use the local engine (--engine local)."
        ) from None
    return ray


def get_engine(name: str = "local", address: Optional[str] = None):
    """The engine called ``name`` ("local" or "ray"); ``address`` is for Ray only."""
    if name == "local":
        if address is not None:
            raise ValueError(
                f"address={address!r} is only used by the Ray engine; add --engine ray or drop it."
            )
        return LocalEngine()
    if name == "ray":
        import_ray()
        return RayEngine(address)
    raise ValueError(f"engine must be one of {ENGINES}; got engine={name!r}.")


def _wait_all(ray, kinds, progress):
    """Waits for the tasks ``kinds`` (``{ref: kind}``); returns their seconds per kind."""
    from tqdm.auto import tqdm

    seconds = collections.defaultdict(float)
    pending = list(kinds)
    with tqdm(
        total=len(pending), desc="render jobs (ray)", unit="job", disable=not progress
    ) as bar:
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                seconds[kinds[ref]] += ray.get(
                    ref
                )  # raises the task's exception, with its traceback
            bar.update(len(done))
    return dict(seconds)


def _timed_job(model, model_dir, job, settings) -> float:
    """Runs one job; returns its wall seconds."""
    start = time.perf_counter()
    jobs_lib.run_job(model, model_dir, job, settings)
    return time.perf_counter() - start


_MODELS = {}  # per worker process: models already resolved, by name, so graphs load once


def _run_task(model, model_dir, job, settings):
    """A Ray task: renders one job (``model`` a name or a pickled Model); returns its seconds."""
    if isinstance(model, str):
        if model not in _MODELS:
            _MODELS[model] = models.resolve_model(model)
        model = _MODELS[model]
    return _timed_job(model, model_dir, job, settings)
