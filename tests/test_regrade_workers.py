"""How a regrade starts its worker processes: never by forking the regrading process, whose other
threads (tqdm's monitor, a BLAS pool, a broken pool's exiting threads) a fork would copy mid-operation."""

from __future__ import annotations

import io
import os
import threading
import warnings

from autograder.regrade.job import regrade
from support.export_fixture import build_export
from support.grading import hw5_key


def test_no_worker_is_forked_from_the_regrading_process_even_beside_another_thread(tmp_path, monkeypatch):
    export = tmp_path / "export"
    build_export(export, 6)
    forked = []
    real_fork = os.fork

    def fork():
        forked.append(os.getpid())
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)  # Python 3.12+: fork() in a multi-threaded process
            report = regrade(hw5_key(), export, tmp_path / "out", jobs=2, progress=io.StringIO())
    finally:
        stop.set()
        other.join()
    assert forked == []
    assert len(report.graded) == 6 and not report.failures()
