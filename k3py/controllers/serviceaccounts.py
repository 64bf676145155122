"""Every active namespace gets a ``default`` ServiceAccount and the ``kube-root-ca.crt`` ConfigMap.

Two controllers of kube-controller-manager in one, since both follow namespaces: the
serviceaccount controller (a deleted ``default`` account comes back) and the root CA publisher
(pods mount ``kube-root-ca.crt`` to trust the API server's certificate through the
``kubernetes`` service). The CA is not something the API serves, so the server hands its PEM in
(``root_ca_pem``: ``tls/server-ca.crt``); without one, no ConfigMap is published.

Namespaces that are terminating are skipped, and a write refused because the namespace is going
away is not an error.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import trio

from k3py.controllers.informer import Informer, key_of, split_key
from k3py.controllers.workqueue import WorkQueue, run_worker
from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from k3py.api.client import Client

logger = logging.getLogger(__name__)

Obj = dict[str, Any]
DEFAULT_SERVICE_ACCOUNTS = ("default",)
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
ROOT_CA_KEY = "ca.crt"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
# Kubernetes' wording, kept as is: clients may show it.
ROOT_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
    "such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
    "distributions of Kubernetes clusters."
)
WORKERS = 2


def is_active(namespace: Obj | None) -> bool:
    if namespace is None:
        return False
    return (
        not (namespace.get("metadata") or {}).get("deletionTimestamp")
        and (namespace.get("status") or {}).get("phase", "Active") == "Active"
    )


def plan_root_ca(namespace: str, current: Obj | None, ca_pem: str) -> Obj | None:
    """The ``kube-root-ca.crt`` ConfigMap to write into ``namespace``, or None when ``current`` is right.

    Other keys in ``data`` are dropped and other annotations kept, as the root CA publisher does.
    """
    data = {ROOT_CA_KEY: ca_pem}
    if current is None:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": ROOT_CA_CONFIGMAP,
                "namespace": namespace,
                "annotations": {DESCRIPTION_ANNOTATION: ROOT_CA_DESCRIPTION},
            },
            "data": data,
        }
    metadata = current.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    if current.get("data") == data and annotations.get(DESCRIPTION_ANNOTATION):
        return None
    updated = dict(current)
    updated["metadata"] = {**metadata, "annotations": {**annotations, DESCRIPTION_ANNOTATION: ROOT_CA_DESCRIPTION}}
    updated["data"] = data
    updated.pop("binaryData", None)
    return updated


@dataclass
class ServiceAccountsController:
    """Creates the managed ServiceAccounts and publishes the root CA, namespace by namespace."""

    client: Client
    #: the server CA (PEM); None: no ``kube-root-ca.crt`` is published
    root_ca_pem: bytes | None = None
    service_accounts: tuple[str, ...] = DEFAULT_SERVICE_ACCOUNTS
    queue: WorkQueue = field(default_factory=WorkQueue)
    namespaces: Informer = field(init=False)
    accounts: Informer = field(init=False)
    configmaps: Informer | None = field(init=False)

    def __post_init__(self) -> None:
        self.namespaces = Informer(self.client, "v1", "namespaces")
        # one name is selected on the server; several (rare) mean watching them all
        names = self.service_accounts
        selector = f"metadata.name={names[0]}" if len(names) == 1 else ""
        self.accounts = Informer(self.client, "v1", "serviceaccounts", field_selector=selector)
        self.configmaps = None
        if self.root_ca_pem is not None:
            self.configmaps = Informer(
                self.client, "v1", "configmaps", field_selector=f"metadata.name={ROOT_CA_CONFIGMAP}"
            )

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Reconcile until cancelled; ``started()`` once the caches are synced and workers run.

        **Cancellation:** stops the watches and workers; nothing is left half-written (each write
        is one request).
        """
        if self.root_ca_pem is None:
            logger.warning("serviceaccounts: no root CA given; %s is not published", ROOT_CA_CONFIGMAP)
        self.namespaces.on_change(self._namespace_changed)
        self.accounts.on_change(self._namespaced_changed)
        informers = [self.namespaces, self.accounts]
        if self.configmaps is not None:
            self.configmaps.on_change(self._namespaced_changed)
            informers.append(self.configmaps)
        async with trio.open_nursery() as nursery:
            for informer in informers:
                await nursery.start(informer.run)
            for _ in range(WORKERS):
                nursery.start_soon(functools.partial(run_worker, self.queue, self.reconcile, name="serviceaccounts"))
            logger.info("Starting controller serviceaccount")
            task_status.started()

    def _namespace_changed(self, old: Obj | None, new: Obj | None) -> None:
        if new is not None:
            self.queue.add(key_of(new))

    def _namespaced_changed(self, old: Obj | None, new: Obj | None) -> None:
        if new is None or old is not new:  # deleted or changed: put it back as it should be
            obj = new if new is not None else old
            assert obj is not None
            self.queue.add(split_key(key_of(obj))[0])

    async def reconcile(self, namespace: str) -> None:
        if not is_active(self.namespaces.get(namespace)):
            return
        for name in self.service_accounts:
            if self.accounts.get(f"{namespace}/{name}") is None:
                account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}}
                if await self._write(self.client.create("v1", "serviceaccounts", account, namespace=namespace)):
                    logger.info("serviceaccounts: created %s/%s", namespace, name)
        if self.configmaps is not None and self.root_ca_pem is not None:
            current = self.configmaps.get(f"{namespace}/{ROOT_CA_CONFIGMAP}")
            desired = plan_root_ca(namespace, current, self.root_ca_pem.decode())
            if desired is None:
                return
            if current is None:
                await self._write(self.client.create("v1", "configmaps", desired, namespace=namespace))
            else:
                await self._write(self.client.update("v1", "configmaps", desired, namespace=namespace))

    async def _write(self, request: Awaitable[Obj]) -> bool:
        """Await one write; False when the cache was behind (the watch event queues the namespace
        again) or the namespace is going away (nothing to do)."""
        try:
            await request
        except (errors.AlreadyExists, errors.Conflict):
            return False
        except (errors.Forbidden, errors.NotFound) as exc:
            logger.debug("serviceaccounts: %s", exc)
            return False
        return True
