"""Fixtures shared by several test files. Kept light: it is imported before every test run."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory):
    """A scheduler and two worker processes started on loopback as separate programs (as an
    analyst starts them on machines); the address of the scheduler. One cluster for the tests
    that use it (the tests only send it work: none changes it), stopped after them."""
    pytest.importorskip("distributed")
    file = tmp_path_factory.mktemp("dask") / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                               "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(file)], **quiet)]  # fmt: skip
    try:
        # A guard only: the loop ends as soon as the scheduler has written its whole file (it
        # opens it, then writes the JSON: an empty or partial file is read again).
        deadline = time.monotonic() + 120
        address = None
        while address is None and time.monotonic() < deadline and procs[0].poll() is None:
            try:
                address = json.loads(file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.1)
        assert address is not None, "the Dask scheduler did not start (it exited, or 120 s)"
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker",
                                       "--scheduler-file", str(file), "--nworkers", "2",
                                       "--nthreads", "1", "--no-dashboard"], **quiet))  # fmt: skip
        from distributed import Client  # an optional extra: imported once it is known to be there

        with Client(address, timeout=120) as client:
            client.wait_for_workers(2, timeout=120)
            pids = set(client.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids  # two processes, not this one
        yield address
    finally:
        # SIGTERM, the workers first: each program closes its own and exits within about a
        # second (Client.shutdown() left the nannies waiting about three for their processes).
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()


@pytest.fixture
def no_serving(monkeypatch):
    """``cdtx host``, ``cdtx serve`` and ``cdtx join`` run in the test's process
    (tests/inprocess.py) for a refusal: one that gets as far as serving, or as opening the seat's
    view, fails the test instead of running until someone stops it."""
    from tui.cli import host, serve  # the command line: only for the tests that ask for it

    def served(*_args, **_kwargs):
        pytest.fail("the command got as far as serving")

    monkeypatch.setattr(host, "_serve", served)
    monkeypatch.setattr(serve, "guarded_server_class", served)
    with contextlib.suppress(ImportError):  # the seat's view needs the host extra (websockets)
        from tui.host.join_app import JoinApp

        monkeypatch.setattr(JoinApp, "run", served)


#: Fixtures costly to set up (a process or two each) that a worker of pytest-xdist keeps for all
#: the tests it runs that use them: the tests using one run in one worker, so it is set up once.
SHARED_SETUP = ("dask_cluster", "browser")  # browser: tests/test_web_browser.py's chromium


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups in the same hook
def pytest_collection_modifyitems(items):
    """Each test using a fixture of :data:`SHARED_SETUP` goes to that fixture's group, which
    ``--dist loadgroup`` runs in one worker (the groups first, then the rest test by test)."""
    for item in items:
        used = [name for name in SHARED_SETUP if name in getattr(item, "fixturenames", ())]
        if used:
            item.add_marker(pytest.mark.xdist_group(used[0]))
