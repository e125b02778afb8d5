"""Where a sweep's units of work run: in this process, a local process pool, or a Dask cluster.

All three call the same pure function on the same picklable tasks and hand results back as they
finish; the caller (the sweep engine) is the only writer of the results store, so the choice of
executor can change where the work runs but not what is written.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

from neurocost.errors import NeurocostError

Task = TypeVar("Task")


class SchedulerError(NeurocostError):
    """A ``--scheduler`` address that is malformed or cannot be reached."""


def run_tasks(
    function: Callable[[Task], Any],
    tasks: Sequence[Task],
    scheduler: str | None = None,
    workers: int | None = None,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, function(tasks[index]))`` in completion order.

    scheduler: ``tcp://HOST:PORT`` of a Dask distributed scheduler, or None for local work.
    workers: local processes (default: the CPU count); 1, or a single task, runs in this process,
        which saves the start-up of a pool when there is nothing to overlap.
    """
    if scheduler is not None:
        yield from _run_on_dask(function, tasks, scheduler)
        return
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(tasks) <= 1:
        for index, task in enumerate(tasks):
            yield index, function(task)
        return
    # forkserver: workers start from a clean process, never a fork of one whose torch threads
    # are already running (a fork of those can deadlock).
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
        futures = {pool.submit(function, task): index for index, task in enumerate(tasks)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _run_on_dask(
    function: Callable[[Task], Any], tasks: Sequence[Task], scheduler: str
) -> Iterator[tuple[int, Any]]:
    if not scheduler.startswith(("tcp://", "tls://")) or ":" not in scheduler.split("://", 1)[1]:
        raise SchedulerError(
            f"--scheduler {scheduler!r}: expected a Dask scheduler address tcp://HOST:PORT"
        )
    from distributed import Client
    from distributed import as_completed as dask_as_completed

    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as err:
        raise SchedulerError(f"--scheduler {scheduler!r}: cannot connect ({err})") from err
    with client:
        futures = client.map(function, list(tasks), pure=False)
        index_of = {future.key: index for index, future in enumerate(futures)}
        for future, result in dask_as_completed(futures, with_results=True):
            yield index_of[future.key], result
