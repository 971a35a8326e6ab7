"""Joining a Ray cluster for a job, and what it offers: a local instance over this machine, the cluster this
machine belongs to ("auto"), or a cluster's head through Ray Client (ray://HOST:PORT)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

CLIENT_ATTEMPTS = 3  # sessions asked of a Ray Client server (ray://) before giving up
INSTALL_HINT = "captioning on a cluster needs Ray: pip install 'photo-annotator[cluster]'"
# Environment variables the captioner actors take from the driver: the model hub's offline mode and
# cache, and the log level, so a model resolves on a worker as it did here.
FORWARDED_ENVIRONMENT = ("HF_HUB_OFFLINE", "HF_HOME", "HF_HUB_CACHE", "TRANSFORMERS_OFFLINE")


class ClusterError(Exception):
    """The cluster cannot be used (Ray missing, unreachable, no room for an actor); one line."""


@dataclass(frozen=True)
class ClusterSpec:
    """Where and how a caption job runs through Ray (the --cluster, --actors and --ship-bytes options)."""

    address: str  # local, auto or ray://HOST:PORT
    actors: int = 0  # 0: one per GPU of the cluster; one on a cluster without GPUs
    ship_bytes: bool = False  # the driver reads the photos and sends their bytes


@dataclass(frozen=True)
class Capacity:
    """What the connected cluster has for a job."""

    cpus: float
    gpus: float
    nodes: int
    dashboard: str | None  # the Ray dashboard's address, when it runs

    def actors(self, requested: int) -> int:
        """Captioner actors to run: as requested, else one per GPU, else one (using every core)."""
        return requested or max(1, int(self.gpus))

    def threads(self, actors: int) -> int:
        """Torch threads for each CPU actor: the cores of a machine shared among its actors (0: on a GPU,
        torch's own choice)."""
        if self.gpus:
            return 0
        per_node = -(-actors // max(1, self.nodes))
        return max(1, int(self.cpus / max(1, self.nodes)) // per_node)


def connect(spec: ClusterSpec) -> Capacity:
    """Join (or, for "local", start) the Ray cluster of ``spec``; ClusterError when it cannot be."""
    try:
        import ray
    except ImportError:
        raise ClusterError(INSTALL_HINT) from None
    _errors_to_log()
    settings = {"log_to_driver": False, "configure_logging": False, "ignore_reinit_error": True}
    for attempt in range(CLIENT_ATTEMPTS if spec.address.startswith("ray://") else 1):
        try:
            if spec.address == "local":
                # Ray runs its workers at nice 15; on this machine they are the job itself (what the
                # in-process engine does at the user's priority), not background work to yield to others.
                context = ray.init(address="local", num_cpus=os.cpu_count() or 1, include_dashboard=None,
                                   _system_config={"worker_niceness": 0}, **settings)
            else:
                context = ray.init(address=spec.address, **settings)
            break
        except Exception as exc:  # Ray's errors are many (ConnectionError, RuntimeError, grpc's)
            from desktop_app.errors import one_line

            disconnect()  # a half-made connection would make every later ray.init in this process fail
            # Ray Client's server now and then fails to start a client's session (its gRPC fork crashes
            # under load): one more try usually gets one.
            if attempt + 1 < CLIENT_ATTEMPTS and "Initialization failure from server" in str(exc):
                log.info("Ray Client could not start a session at %s; trying again", spec.address)
                continue
            raise ClusterError(f"cannot join the Ray cluster at {spec.address}: {one_line(exc)}") from exc
    resources = ray.cluster_resources()
    nodes = sum(1 for node in ray.nodes() if node.get("Alive"))
    dashboard = getattr(context, "dashboard_url", None) or None
    if dashboard and not dashboard.startswith("http"):
        dashboard = f"http://{dashboard}"
    return Capacity(cpus=float(resources.get("CPU", 0)), gpus=float(resources.get("GPU", 0)),
                    nodes=max(1, nodes), dashboard=dashboard)


def _errors_to_log() -> None:
    """Ray's driver prints the cluster's error reports (an actor that died, one that failed to start,
    with tracebacks) on standard output, where the command's results go (--json: one JSON object a
    line): they go to this module's log instead (-v shows them). Ray's other output is left alone."""
    from ray._private import worker

    printer = worker.print_to_stdstream
    if getattr(printer, "to_log", False):
        return

    def to_log(data: dict[str, Any], ignore_prefix: bool) -> None:
        if data.get("pid") != "raylet":
            printer(data, ignore_prefix)
            return
        for line in data.get("lines", ()):
            log.info("Ray: %s", line)

    to_log.to_log = True  # type: ignore[attr-defined]
    worker.print_to_stdstream = to_log


def disconnect() -> None:
    """Leave the cluster: the job's actors and tasks end with it (a local instance stops)."""
    try:
        import ray
    except ImportError:
        return
    # Unconditionally: a failed Ray Client connection leaves this process marked as connected while
    # is_initialized() says no, and every later ray.init here would fail.
    ray.shutdown()


def forwarded_environment() -> dict[str, str]:
    return {name: os.environ[name] for name in FORWARDED_ENVIRONMENT if name in os.environ}
