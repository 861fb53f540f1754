"""Where the runs of a simulation execute: in this process, in local worker
processes, or on a Dask cluster.

Every task is one run (a scenario and a seed) and builds its own chain in
the process that runs it (titanoboa's state is per process). Results come
back in the order of the tasks whatever order they finish in, so the files
written from them are byte-identical for any backend and worker count.

- serial: `workers == 1` and no cluster;
- local: `concurrent.futures.ProcessPoolExecutor` (fork where the platform
  has it, so the contracts compiled in this process are not compiled again);
- Dask: `--cluster ADDRESS`, a `distributed` scheduler; its workers must
  have this project importable (the same version as the client).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
OnDone = Callable[[int, Any], None]
CONNECT_SECONDS = 15  # to reach a Dask scheduler


def default_workers(tasks: int) -> int:
    """One worker per core, never more than there are tasks."""
    return max(1, min(tasks, os.cpu_count() or 1))


def run_all(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    *,
    workers: int = 1,
    cluster: str | None = None,
    on_done: OnDone | None = None,
) -> list[R]:
    """`[fn(t) for t in tasks]` on the chosen backend; `on_done(index, result)`
    as each finishes."""
    if cluster:
        return _dask(fn, tasks, cluster, on_done)
    if workers <= 1 or len(tasks) <= 1:
        out = []
        for i, task in enumerate(tasks):
            out.append(fn(task))
            if on_done is not None:
                on_done(i, out[-1])
        return out
    return _local(fn, tasks, workers, on_done)


def _local(
    fn: Callable[[T], R], tasks: Sequence[T], workers: int, on_done: OnDone | None
) -> list[R]:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    results: list[Any] = [None] * len(tasks)
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
        futures = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
        try:
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                if on_done is not None:
                    on_done(i, results[i])
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # the runs not started never start
            raise
    return results


def _dask(
    fn: Callable[[T], R], tasks: Sequence[T], address: str, on_done: OnDone | None
) -> list[R]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    results: list[Any] = [None] * len(tasks)
    with Client(address, timeout=CONNECT_SECONDS) as client:
        futures = client.map(fn, list(tasks), pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        for future in dask_completed(futures):
            i = index[future.key]
            results[i] = future.result()
            if on_done is not None:
                on_done(i, results[i])
    return results
