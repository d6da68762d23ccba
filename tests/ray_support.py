"""One local Ray cluster (a head and two worker nodes) shared by every Ray test of a session.

Starting a cluster costs seconds on a loaded machine, so it starts once, on first use, and stops
when the session ends. The head has no CPUs: every task runs on a worker node, so removing one
really takes running tasks with it. Worker "engine" declares the `docker` resource and worker
"plain" does not; `replace` swaps a worker for a fresh one of the same kind, ungracefully.
"""

from __future__ import annotations

import atexit
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# Small, explicit sizes: CI has 2 cores, and the object store is only a few small documents.
_OBJECT_STORE_BYTES = 80 * 1024 * 1024
_KINDS: dict[str, dict[str, Any]] = {
    "engine": {"num_cpus": 1, "resources": {"docker": 1}},
    "plain": {"num_cpus": 1},
}


class SharedCluster:
    def __init__(self) -> None:
        import ray
        from ray.cluster_utils import Cluster

        self.cluster = Cluster(
            initialize_head=True,
            head_node_args={"num_cpus": 0, "object_store_memory": _OBJECT_STORE_BYTES},
        )
        self.workers: dict[str, Any] = {kind: self._add(kind) for kind in _KINDS}
        self.cluster.wait_for_nodes()
        # The workers import the tests' task functions by reference: give them the checkout.
        ray.init(
            address=self.cluster.address,
            log_to_driver=False,
            logging_level="WARNING",
            runtime_env={"env_vars": {"PYTHONPATH": str(REPO_ROOT)}},
        )
        self.address: str = self.cluster.address

    def _add(self, kind: str) -> Any:
        return self.cluster.add_node(object_store_memory=_OBJECT_STORE_BYTES, **_KINDS[kind])

    def node_id(self, kind: str) -> str:
        return str(self.workers[kind].node_id)

    def replace(self, kind: str) -> None:
        """Kill worker `kind` ungracefully (raylet and workers SIGKILLed); add a fresh one."""
        self.cluster.remove_node(self.workers[kind], allow_graceful=False)
        self.workers[kind] = self._add(kind)

    def shutdown(self) -> None:
        import ray

        ray.shutdown()
        self.cluster.shutdown()


_SHARED: list[SharedCluster] = []


def shared_cluster() -> SharedCluster:
    """The session's cluster, started on first use and shut down when the interpreter exits."""
    if not _SHARED:
        _SHARED.append(SharedCluster())
        atexit.register(_stop)
    return _SHARED[0]


def _stop() -> None:
    while _SHARED:
        _SHARED.pop().shutdown()
