"""The Client: how components above the API (controllers, scheduler, kubelet, fleet) use it.

One client, two transports, the same semantics and errors (ARCHITECTURE section 2):

- :class:`AppTransport` calls the server's own ASGI app in process: every request goes through the
  same pipeline as a remote one (decoding, defaulting, validation, field ownership, the store),
  with no sockets and no TLS. Responses stream, so watches work.
- Over HTTPS, any ``httpx.AsyncClient`` pointed at a server (an agent, the hub's tools).

Errors come back as the :mod:`k3py.core.errors` classes the API raised (``NotFound``,
``Conflict``, ``Expired``...), rebuilt from the ``Status`` on the wire.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import trio

from k3py.api import auth
from k3py.api.auth import SCOPE_USER_KEY, User
from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping

    from k3py.api.app import Receive, Scope, Send

    AsgiApp = Callable[[Scope, Receive, Send], Any]

Obj = dict[str, Any]

APPLY_PATCH = "application/apply-patch+yaml"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
#: who the server's own components are: all-powerful, as the apiserver's loopback client is
SYSTEM_USER = User("system:k3py", groups=("system:masters", "system:authenticated"))
# Buffered response messages of one in-process request; a slow reader holds the app back.
_STREAM_BUFFER = 64
# How long an in-process app may go on after its client closed the response.
_GRACE_SECONDS = 1.0


def path_of(api_version: str, plural: str, namespace: str = "", name: str = "", subresource: str = "") -> str:
    """The URL path of a collection or an object: ``/apis/apps/v1/namespaces/ns/deployments/web``."""
    base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
    if namespace:
        base += f"/namespaces/{quote(namespace, safe='')}"
    base += f"/{plural}"
    if name:
        base += f"/{quote(name, safe='')}"
    if subresource:
        base += f"/{subresource}"
    return base


@dataclass(frozen=True, slots=True)
class Resource:
    """One served resource, as discovery describes it."""

    api_version: str
    plural: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...]


class Client:
    """Typed-less Kubernetes verbs over an ``httpx.AsyncClient`` (in process or remote)."""

    def __init__(self, http: httpx.AsyncClient, *, field_manager: str = "k3py") -> None:
        self.http = http
        self.field_manager = field_manager

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        content_type: str = "application/json",
    ) -> Obj:
        content = None
        headers = {"accept": "application/json"}
        if body is not None:
            content = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["content-type"] = content_type
        try:
            response = await self.http.request(method, path, params=params, content=content, headers=headers)
        except httpx.TransportError as exc:  # the server is away: as an answer the callers handle
            raise errors.ServiceUnavailable(f"{method} {path}: {exc or type(exc).__name__}") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.is_success and isinstance(answer, dict):
            return answer
        if isinstance(answer, dict) and answer.get("kind") == "Status":
            raise errors.from_status(answer, code=response.status_code)
        raise errors.from_status({"code": response.status_code, "message": response.text[:200]})

    async def get_path(self, path: str) -> Obj:
        """A GET of any API path answering JSON (discovery documents)."""
        return await self._call("GET", path)

    async def resources(self) -> list[Resource]:
        """Every resource the server serves (discovery), in each group's preferred version."""
        found = []
        for api_version in ["v1"] + [
            str(group["preferredVersion"]["groupVersion"])
            for group in (await self.get_path("/apis")).get("groups") or []
            if group.get("preferredVersion")
        ]:
            listing = await self.get_path(path_of(api_version, "").rstrip("/"))
            for entry in listing.get("resources") or []:
                if "/" not in entry["name"]:
                    found.append(
                        Resource(
                            api_version, entry["name"], entry["kind"], bool(entry["namespaced"]), tuple(entry["verbs"])
                        )
                    )
        return found

    async def get(self, api_version: str, plural: str, name: str, *, namespace: str = "") -> Obj:
        return await self._call("GET", path_of(api_version, plural, namespace, name))

    async def list(
        self,
        api_version: str,
        plural: str,
        *,
        namespace: str = "",
        label_selector: str = "",
        field_selector: str = "",
        limit: int = 0,
        continue_token: str = "",
        resource_version: str = "",
    ) -> Obj:
        params = _params(
            labelSelector=label_selector,
            fieldSelector=field_selector,
            limit=str(limit) if limit else "",
            resourceVersion=resource_version,
            **{"continue": continue_token},
        )
        return await self._call("GET", path_of(api_version, plural, namespace), params=params)

    async def create(
        self, api_version: str, plural: str, obj: Obj, *, namespace: str = "", name: str = "", subresource: str = ""
    ) -> Obj:
        """POST an object, or to an object's subresource (``name`` and ``subresource``: a
        TokenRequest to ``serviceaccounts/NAME/token``, an Eviction to ``pods/NAME/eviction``)."""
        params = _params(fieldManager=self.field_manager)
        path = path_of(api_version, plural, namespace, name, subresource)
        return await self._call("POST", path, params=params, body=obj)

    async def update(
        self, api_version: str, plural: str, obj: Obj, *, namespace: str = "", subresource: str = ""
    ) -> Obj:
        name = str((obj.get("metadata") or {}).get("name", ""))
        path = path_of(api_version, plural, namespace, name, subresource)
        return await self._call("PUT", path, params=_params(fieldManager=self.field_manager), body=obj)

    async def patch(
        self,
        api_version: str,
        plural: str,
        name: str,
        patch: Any,
        *,
        namespace: str = "",
        subresource: str = "",
        patch_type: str = MERGE_PATCH,
    ) -> Obj:
        path = path_of(api_version, plural, namespace, name, subresource)
        params = _params(fieldManager=self.field_manager)
        return await self._call("PATCH", path, params=params, body=patch, content_type=patch_type)

    async def apply(self, obj: Obj, plural: str, *, subresource: str = "", force: bool = False) -> Obj:
        """Server-side apply ``obj`` (it names its apiVersion, kind, name and namespace) as this
        client's field manager."""
        metadata = obj.get("metadata") or {}
        path = path_of(str(obj["apiVersion"]), plural, str(metadata.get("namespace", "")), str(metadata["name"]))
        if subresource:
            path += f"/{subresource}"
        params = _params(fieldManager=self.field_manager, force="true" if force else "")
        return await self._call("PATCH", path, params=params, body=obj, content_type=APPLY_PATCH)

    async def delete(
        self,
        api_version: str,
        plural: str,
        name: str,
        *,
        namespace: str = "",
        propagation_policy: str = "",
        grace_period_seconds: int | None = None,
        preconditions: Obj | None = None,
    ) -> Obj:
        options: Obj = {"apiVersion": "v1", "kind": "DeleteOptions"}
        if propagation_policy:
            options["propagationPolicy"] = propagation_policy
        if grace_period_seconds is not None:
            options["gracePeriodSeconds"] = grace_period_seconds
        if preconditions:
            options["preconditions"] = preconditions
        return await self._call("DELETE", path_of(api_version, plural, namespace, name), body=options)

    async def watch(
        self,
        api_version: str,
        plural: str,
        *,
        namespace: str = "",
        resource_version: str = "",
        label_selector: str = "",
        field_selector: str = "",
        bookmarks: bool = True,
        timeout_seconds: int = 0,
    ) -> AsyncIterator[tuple[str, Obj]]:
        """``(type, object)`` events from ``resource_version`` on, bookmarks included when asked.

        An async generator: close it (``contextlib.aclosing``) when leaving it early.

        Raises:
            errors.Expired: the revision was compacted (410): list again, then watch from there.
        """
        params = _params(
            watch="1",
            resourceVersion=resource_version,
            labelSelector=label_selector,
            fieldSelector=field_selector,
            allowWatchBookmarks="true" if bookmarks else "",
            timeoutSeconds=str(timeout_seconds) if timeout_seconds else "",
        )
        path = path_of(api_version, plural, namespace)
        async with self.http.stream("GET", path, params=params, headers={"accept": "application/json"}) as response:
            if not response.is_success:
                body = await response.aread()
                try:
                    status = json.loads(body)
                except ValueError:
                    status = {"message": body[:200].decode(errors="replace")}
                raise errors.from_status(status, code=response.status_code)
            lines = response.aiter_lines()
            async with contextlib.aclosing(lines):  # type: ignore[type-var]  # an async generator, typed loosely
                async for line in lines:
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    kind, obj = str(event.get("type", "")), event.get("object") or {}
                    if kind == "ERROR":
                        raise errors.from_status(obj)
                    yield kind, obj


def _params(**values: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


class AppTransport(httpx.AsyncBaseTransport):
    """Requests to an ASGI app in this process, as ``user``, with streamed responses.

    Each request runs the app in a task of ``nursery`` (its owner's); the response body is read
    from that task as it is sent, and closing the response tells the app the client went away
    (``http.disconnect``), as a dropped connection would.
    """

    def __init__(
        self,
        app: AsgiApp,
        nursery: trio.Nursery,
        *,
        user: User = SYSTEM_USER,
        authenticator: auth.Authenticator | None = None,
    ) -> None:
        self.app = app
        self.nursery = nursery
        self.user = user
        #: the server's, so that in-process token requests and reviews are answered as over HTTPS
        self.authenticator = authenticator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": "https",
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "server": ("127.0.0.1", 0),
            "client": ("127.0.0.1", 0),
            SCOPE_USER_KEY: self.user,
        }
        if b"watch=" not in request.url.query:
            return await self._answer_inline(scope, body, request)
        messages_in, messages_out = trio.open_memory_channel[dict[str, Any]](_STREAM_BUFFER)
        gone = trio.Event()
        sent_body = False
        cancel_scopes: list[trio.CancelScope] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if not gone.is_set():
                try:
                    await messages_in.send(message)
                except trio.BrokenResourceError:
                    gone.set()

        async def run(task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
            task_status.started()
            async with messages_in:
                with trio.CancelScope() as scope_, self._serving():
                    cancel_scopes.append(scope_)
                    await self.app(scope, receive, send)

        await self.nursery.start(run)
        try:
            start = await messages_out.receive()
        except trio.EndOfChannel:
            raise httpx.RemoteProtocolError("the app answered nothing", request=request) from None
        if start.get("type") != "http.response.start":
            raise httpx.RemoteProtocolError(f"unexpected first message {start.get('type')!r}", request=request)
        headers = [(k, v) for k, v in start.get("headers", [])]
        return httpx.Response(
            int(start["status"]),
            headers=headers,
            stream=_AppStream(messages_out, gone, cancel_scopes),
            request=request,
        )

    async def _answer_inline(self, scope: Scope, body: bytes, request: httpx.Request) -> httpx.Response:
        """A request that is not a watch runs in the caller's task: cheaper, and under the caller's
        cancel scopes (a shielded cleanup, such as releasing a Lease at shutdown, still works)."""
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            if not sent:
                sent.append({"type": "http.request"})  # marks the body as delivered
                return {"type": "http.request", "body": body, "more_body": False}
            await trio.sleep_forever()  # nobody disconnects from an answer given in one piece
            raise AssertionError("unreachable")

        messages: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)

        with self._serving():
            await self.app(scope, receive, send)
        start = next((m for m in messages if m.get("type") == "http.response.start"), None)
        if start is None:
            raise httpx.RemoteProtocolError("the app answered nothing", request=request)
        content = b"".join(m.get("body", b"") for m in messages if m.get("type") == "http.response.body")
        return httpx.Response(
            int(start["status"]), headers=list(start.get("headers", [])), content=content, request=request
        )

    def _serving(self) -> contextlib.AbstractContextManager[None]:
        return auth.serving(self.authenticator) if self.authenticator is not None else contextlib.nullcontext()


class _AppStream(httpx.AsyncByteStream):
    def __init__(
        self, messages: trio.MemoryReceiveChannel[dict[str, Any]], gone: trio.Event, scopes: list[trio.CancelScope]
    ) -> None:
        self.messages = messages
        self.gone = gone
        self.scopes = scopes
        self.done = False

    def __aiter__(self) -> _AppStream:
        # An iterator object, not an async generator: it needs no closing of its own.
        return self

    async def __anext__(self) -> bytes:
        if self.done:
            raise StopAsyncIteration
        while True:
            try:
                message = await self.messages.receive()
            except (trio.EndOfChannel, trio.ClosedResourceError):
                raise StopAsyncIteration from None
            if message.get("type") != "http.response.body":
                continue
            self.done = not message.get("more_body")
            chunk: bytes = message.get("body", b"")
            if chunk or self.done:
                return chunk

    async def aclose(self) -> None:
        self.gone.set()
        await self.messages.aclose()
        # An app that does not watch for the disconnect is stopped outright.
        for scope in self.scopes:
            scope.deadline = min(scope.deadline, trio.current_time() + _GRACE_SECONDS)
