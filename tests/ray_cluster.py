"""A throwaway Ray cluster for the tests: one head node per test session (`ray start --head --block` on free
ports of 127.0.0.1, its own temporary folder, stopped at the end), joined by the tests' cluster jobs as
`--cluster auto` with RAY_ADDRESS set, or through Ray Client as `--cluster ray://127.0.0.1:PORT`.

Without Ray installed its tests are skipped, except under .ci/run (PHOTO_ANNOTATOR_TEST_POSTGRES=required
also makes Ray required there: the [dev] extra installs it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START_SECONDS = 90.0


class RayUnavailable(Exception):
    """No Ray cluster can be started here; the message says why."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RayCluster:
    """A running head node: ``address`` (for RAY_ADDRESS) and ``client_address`` (ray://...)."""

    def __init__(self, cpus: int = 2) -> None:
        ray = shutil.which("ray", path=str(Path(sys.executable).parent)) or shutil.which("ray")
        if ray is None:
            raise RayUnavailable("Ray is not installed: pip install -e '.[dev]'")
        # Ray's socket paths must stay short (107 bytes): a short folder under /tmp.
        self.folder = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
        port, client_port = _free_port(), _free_port()
        self.address = f"127.0.0.1:{port}"
        self.client_address = f"ray://127.0.0.1:{client_port}"
        # The cluster's machines have settings of their own (no library root mapped: photos are read at
        # their canonical paths), not those of the test that happened to start the session's cluster.
        # Token authentication off: a test cluster on this machine (users' clusters keep theirs).
        environment = {**os.environ, "HF_HUB_OFFLINE": "1", "RAY_USAGE_STATS_ENABLED": "0",
                       "RAY_AUTH_MODE": "disabled",
                       # The tests' own plugins (tests/plugins) unpickle on the cluster's workers too.
                       "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                                   os.environ.get("PYTHONPATH")])),
                       "PHOTO_ANNOTATOR_CONFIG": str(self.folder / "config"),
                       "PHOTO_ANNOTATOR_DATA": str(self.folder / "data"),
                       "PHOTO_ANNOTATOR_CACHE": str(self.folder / "cache")}
        environment.pop("RAY_ADDRESS", None)
        self.log = (self.folder / "head.log").open("wb")
        self.process = subprocess.Popen(
            [ray, "start", "--head", "--block", f"--port={port}", f"--ray-client-server-port={client_port}",
             f"--num-cpus={cpus}", "--num-gpus=0",
             "--object-store-memory=300000000", "--include-dashboard=false", "--disable-usage-stats",
             f"--temp-dir={self.folder}"],
            stdout=self.log, stderr=subprocess.STDOUT, env=environment, start_new_session=True)
        self._wait_ready(port)

    def _wait_ready(self, port: int) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RayUnavailable(f"ray start exited: {self._log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    pass
                if b"Ray runtime started" in (self.folder / "head.log").read_bytes():
                    return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RayUnavailable(f"the Ray head did not start in {START_SECONDS:.0f} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return (self.folder / "head.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Kill the head and every Ray process of this cluster (a throwaway one: nothing to save). Those
        are the head's descendants and the processes naming its temporary folder (Ray's workers detach)."""
        import psutil

        ours = []
        with contextlib.suppress(psutil.Error):
            ours = psutil.Process(self.process.pid).children(recursive=True)
        for process in psutil.process_iter(["cmdline"]):
            if str(self.folder) in " ".join(process.info["cmdline"] or ()):
                ours.append(process)
        for process in [*ours, self.process]:
            with contextlib.suppress(psutil.Error, ProcessLookupError):
                process.kill()
        psutil.wait_procs([each for each in ours if each.is_running()], timeout=10)
        self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> RayCluster:
    try:
        import ray  # noqa: F401
    except ImportError:
        raise RayUnavailable("Ray is not installed: pip install -e '.[dev]'") from None
    return RayCluster()
