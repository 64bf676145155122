"""The ASGI application hypercorn serves: routing, content negotiation, watch streaming, errors.

It owns the HTTP face of the API and nothing below it: it parses a request (``requestinfo``),
decodes the body, calls the verbs (``handlers``) and encodes the answer (JSON, or a Table for
``kubectl get``). Every error leaves as a Kubernetes ``Status`` built by ``core.errors``; an
unexpected exception is logged once with its traceback and answered 500 without details.

Health: ``/readyz``, ``/livez`` and ``/healthz`` answer 503 as soon as the store stops working.
"""

from __future__ import annotations

import json
import logging
import platform
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import trio
import yaml

import k3py
from k3py.api import (
    auth,
    crds,
    customresources,
    discovery,
    eviction,
    openapi,
    patching,
    requestinfo,
    reviews,
    subresources,
    tables,
    tokens,
)
from k3py.api.handlers import ListOptions
from k3py.api.registry import Registry
from k3py.core import errors, managedfields, patch, selectors
from k3py.store import WatchDropped

if TYPE_CHECKING:
    from k3py.api.registry import ResourceType
    from k3py.store import Store

logger = logging.getLogger(__name__)

# ASGI's callables. ``send`` takes ``Any`` so that a server's narrower typed send (hypercorn's
# TypedDict union) is accepted where this app is passed in.
Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Any], Awaitable[None]]
Obj = dict[str, Any]

HEALTH_PATHS = frozenset({"/readyz", "/livez", "/healthz"})
# The apiserver refuses bodies over 3 MiB (its MaxRequestBodyBytes); so does k3py.
MAX_BODY_BYTES = 3 * 1024 * 1024
# Past the limit the rest of a body is read and dropped up to here, so the client gets the 413
# rather than a reset; a client sending more than this is cut off.
DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES
# The Kubernetes version k3py speaks: kubectl warns when its minor version is more than one away.
KUBE_MAJOR, KUBE_MINOR = "1", "37"
# A watch without timeoutSeconds ends after this long, as the apiserver's min-request-timeout
# (1800 s, randomised) does; clients watch again from their last resourceVersion.
DEFAULT_WATCH_SECONDS = 1800.0
# A bookmark goes out on a quiet watch this often when the client allows them.
BOOKMARK_INTERVAL = 60.0


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    receive: Receive
    body_bytes: bytes | None = None
    user: Any = None

    def param(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[-1] if values else default

    def flag(self, name: str) -> bool:
        return self.param(name).lower() in ("1", "true")

    async def body(self) -> bytes:
        if self.body_bytes is None:
            chunks, size = [], 0
            while True:
                message = await self.receive()
                if message["type"] == "http.disconnect":
                    raise errors.BadRequest("the client went away")
                chunk = message.get("body", b"")
                size += len(chunk)
                if size <= MAX_BODY_BYTES:
                    chunks.append(chunk)
                if not message.get("more_body") or size > DRAIN_LIMIT_BYTES:
                    break
            if size > MAX_BODY_BYTES:
                raise errors.RequestEntityTooLarge("the request is too large: limit is 3MB")
            self.body_bytes = b"".join(chunks)
        return self.body_bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    async def object(self) -> Obj:
        """The body as an object: JSON, YAML when the client says so, or Kubernetes protobuf (client-go's
        choice for built-in types, with no JSON retry on a 415), decoded into the same JSON object."""
        from k3py.api import protobuf  # only protobuf bodies need it

        raw = await self.body()
        if not raw.strip():
            raise errors.BadRequest("the request body is empty; an object was expected")
        kind = self.content_type
        try:
            if kind in ("application/yaml", "application/apply-patch+yaml"):
                value = yaml.safe_load(raw)
            elif kind in ("application/json", "") or kind.endswith("+json"):
                value = json.loads(raw)
            elif kind == protobuf.MEDIA_TYPE:
                value = protobuf.decode(raw)
            else:
                raise errors.UnsupportedMediaType(
                    f"the body of the request was in an unknown format - accepted media types include: "
                    f'application/json, application/yaml, {protobuf.MEDIA_TYPE} ("{kind}" was sent)'
                )
        except (ValueError, yaml.YAMLError) as exc:
            raise errors.BadRequest(f"the body of the request could not be decoded: {_short(exc)}") from exc
        if not isinstance(value, dict):
            raise errors.BadRequest("the body of the request must be an object")
        return value


@dataclass
class Response:
    code: int
    body: bytes
    content_type: str = "application/json"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


@dataclass
class Stream:
    """A streamed answer (watch): one JSON object per line."""

    events: AsyncIterator[bytes]
    content_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class Rendering:
    """How list, get and watch answers are encoded, from the Accept header (``as=Table`` etc.)."""

    kind: str = ""  # "", "Table" or "PartialObjectMetadata"
    api_version: str = ""  # meta.k8s.io/v1 or /v1beta1
    include_object: str = "Metadata"

    @property
    def content_type(self) -> str:
        if not self.kind:
            return "application/json"
        version = self.api_version.rpartition("/")[2]
        return f"application/json;as={self.kind};v={version};g=meta.k8s.io"


def negotiate(accept: str, include_object: str) -> Rendering:
    """The first representation in ``accept`` that k3py can give (apiserver's content negotiation)."""
    for part in accept.split(","):
        media, *raw = (p.strip() for p in part.split(";"))
        params = {k.strip(): v.strip() for k, _, v in (p.partition("=") for p in raw)}
        if media not in ("application/json", "*/*", "application/*"):
            continue
        shape = params.get("as", "")
        if not shape:
            return Rendering()
        if params.get("g") != "meta.k8s.io" or params.get("v") not in ("v1", "v1beta1"):
            continue
        if shape == "Table":
            return Rendering("Table", "meta.k8s.io/" + params["v"], include_object or "Metadata")
        if shape in ("PartialObjectMetadata", "PartialObjectMetadataList"):
            return Rendering("PartialObjectMetadata", "meta.k8s.io/" + params["v"])
    if accept.strip():
        kinds = {p.split(";")[0].strip() for p in accept.split(",")}
        if not kinds & {"application/json", "*/*", "application/*", "application/yaml"}:
            raise errors.NotAcceptable(
                "only the following media types are accepted: application/json, "
                "application/json;as=Table;v=v1;g=meta.k8s.io"
            )
    return Rendering()


def json_response(obj: Obj, code: int = 200, content_type: str = "application/json") -> Response:
    return Response(code, json.dumps(obj, separators=(",", ":")).encode(), content_type)


def status_response(exc: errors.K3pyError) -> Response:
    headers = []
    if exc.retry_after_seconds:
        headers.append((b"retry-after", str(exc.retry_after_seconds).encode()))
    return Response(exc.code, json.dumps(errors.to_status(exc), separators=(",", ":")).encode(), headers=headers)


def success_status(details: Obj) -> Obj:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


def version_info() -> Obj:
    return {
        "major": KUBE_MAJOR,
        "minor": KUBE_MINOR,
        "gitVersion": f"v{KUBE_MAJOR}.{KUBE_MINOR}.0+k3py-{k3py.__version__}",
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "",
        "goVersion": f"python{platform.python_version()}",
        "compiler": "cpython",
        "platform": f"linux/{_arch()}",
    }


def _arch() -> str:
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm"}.get(machine, machine)


class App:
    """The ASGI app of one server."""

    def __init__(self, store: Store, registry: Registry | None = None) -> None:
        self.store = store
        self.registry = registry or Registry.builtin()
        # The generic verbs, with CustomResourceDefinitions served as they come and go.
        self.resources = customresources.CustomResources(
            store, self.registry, on_change=self._custom_resources_changed, schema_for=self._field_schema
        )
        # Built on first use: the definitions cost ~8 MB and 0.1 s, which start-up need not pay.
        self._openapi: openapi.Documents | None = None

    @property
    def openapi(self) -> openapi.Documents:
        if self._openapi is None:
            schemas = openapi.Schemas.builtin()
            custom = crds.openapi_resources(self.resources.custom_types)
            if custom:
                schemas = schemas.with_custom_resources(custom)
            self._openapi = openapi.Documents(self.registry.resources(), schemas)
        return self._openapi

    def _custom_resources_changed(self) -> None:
        """The served CRDs changed: new documents (and hashes, which is how clients notice) on next use."""
        self._openapi = None

    @property
    def healthy(self) -> bool:
        """Whether the health checks pass: the store is working."""
        return self.store.failure is None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # no streaming endpoints yet
        else:
            raise ValueError(f"unsupported ASGI scope type {kind!r}")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "lifespan.startup":
            raise ValueError(f"expected lifespan.startup, got {message['type']!r}")
        from k3py.api import bootstrap

        try:
            await bootstrap.ensure_defaults(self.resources, self.registry)
            await self.resources.sync()  # serve the CRDs already stored
        except errors.K3pyError as exc:
            await send({"type": "lifespan.startup.failed", "message": exc.message})
            return
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        if message["type"] != "lifespan.shutdown":
            raise ValueError(f"expected lifespan.shutdown, got {message['type']!r}")
        await send({"type": "lifespan.shutdown.complete"})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        request = Request(scope["method"], scope["path"], query, headers, receive, user=scope.get("k3py.user"))
        try:
            answer = await self.route(request)
        except errors.K3pyError as exc:
            answer = status_response(exc)
        except Exception:
            logger.exception("%s %s failed", request.method, request.path)
            answer = status_response(errors.Internal("an internal error occurred; the server log has the details"))
        if isinstance(answer, Stream):
            await self._stream(answer, receive, send)
        else:
            await _send(send, answer)

    async def route(self, request: Request) -> Response | Stream:
        path = request.path
        if path in HEALTH_PATHS:
            if request.method not in ("GET", "HEAD"):
                raise errors.MethodNotSupported(f"{request.method} is not supported on {path}")
            if self.healthy:
                return Response(200, b"ok", "text/plain; charset=utf-8")
            return Response(503, f"{path[1:]} check failed: datastore\n".encode(), "text/plain; charset=utf-8")
        if path == "/version":
            return json_response(version_info())
        if path == "/openapi/v2" or path == "/openapi/v3" or path.startswith("/openapi/v3/"):
            answer = self.openapi.answer(
                path,
                accept=request.headers.get("accept"),
                if_none_match=request.headers.get("if-none-match"),
                query_hash=request.param("hash") or None,
            )
            headers = [(k.lower().encode(), v.encode()) for k, v in answer.headers]
            return Response(answer.code, answer.body, answer.content_type, headers)
        parsed = requestinfo.parse(path, request.method, watch_param=request.flag("watch"))
        if parsed is None:
            raise errors.NotFound("the server could not find the requested resource")
        if isinstance(parsed, requestinfo.DiscoveryPath):
            return self.discovery(parsed, request)
        return await self.resource(parsed, request)

    # -- discovery -------------------------------------------------------------------------------

    def discovery(self, where: requestinfo.DiscoveryPath, request: Request) -> Response:
        if request.method != "GET":
            raise errors.MethodNotSupported(f"{request.method} is not supported on discovery")
        if not where.version and not (where.prefix == "apis" and where.group):
            aggregated = discovery.wants_aggregated(request.headers.get("accept", ""))
            if aggregated:
                doc = discovery.aggregated(self.registry, legacy=where.prefix == "api", content_type=aggregated)
                return json_response(doc, content_type=aggregated)
            if where.prefix == "api":
                return json_response(discovery.api_versions())
            return json_response(discovery.api_group_list(self.registry))
        if where.prefix == "apis" and not where.version:
            group_doc = discovery.api_group(self.registry, where.group)
            if group_doc is None:
                raise errors.NotFound("the server could not find the requested resource")
            return json_response(group_doc)
        listing = discovery.api_resource_list(self.registry, where.group, where.version)
        if listing is None:
            raise errors.NotFound("the server could not find the requested resource")
        return json_response(listing)

    # -- resources -------------------------------------------------------------------------------

    async def resource(self, info: requestinfo.RequestInfo, request: Request) -> Response | Stream:
        rt = self.registry.lookup(info.group, info.version, info.plural)
        if rt is None:
            raise errors.NotFound("the server could not find the requested resource")
        if info.subresource and info.subresource not in rt.subresources:
            raise errors.NotFound("the server could not find the requested resource")
        if info.subresource == "scale" and subresources.scalable(rt):
            return await self.scale(rt, info, request)
        if info.subresource == "binding" and (rt.group, rt.plural) == ("", "pods") and info.verb == "create":
            return await self.binding(rt, info.namespace, info.name, await request.object())
        if (rt.group, rt.plural) == ("", "bindings") and info.verb == "create":
            pods = self.registry.lookup("", "v1", "pods")
            assert pods is not None
            binding = await request.object()
            pod_name = str((binding.get("metadata") or {}).get("name", ""))
            return await self.binding(pods, info.namespace, pod_name, binding)
        if rt.virtual and info.verb == "create":
            return await self.review(rt, info, request)
        if info.subresource == "token" and (rt.group, rt.plural) == ("", "serviceaccounts") and info.verb == "create":
            return await self.token_request(info, request)
        if info.subresource == "eviction" and (rt.group, rt.plural) == ("", "pods") and info.verb == "create":
            return await self.evict(info, request)
        if info.subresource not in ("", "status"):
            raise errors.MethodNotSupported(
                f"the {info.subresource} subresource of {rt.plural} is not served yet", kind=rt.plural
            )
        verb = info.verb
        base_verb = "get" if verb in ("list", "watch") else "delete" if verb == "deletecollection" else verb
        if verb not in rt.verbs and base_verb not in rt.verbs:
            raise errors.MethodNotSupported(f"{verb} is not supported on {rt.plural}", kind=rt.plural)
        if rt.namespaced and not info.namespace and verb in ("create", "update", "patch", "delete"):
            raise errors.NotFound("the server could not find the requested resource")
        dry_run = request.param("dryRun") == "All" or "All" in request.query.get("dryRun", [])
        rendering = negotiate(request.headers.get("accept", ""), request.param("includeObject"))
        if verb == "get":
            obj = await self.resources.get(rt, info.namespace, info.name)
            return json_response(render_one(rt, obj, rendering), content_type=rendering.content_type)
        if verb == "list":
            listing = await self.resources.list(rt, info.namespace, self._list_options(request))
            return json_response(render_list(rt, listing, rendering), content_type=rendering.content_type)
        if verb == "watch":
            opts = self._list_options(request)
            if info.name:
                opts = ListOptions(
                    label_selector=opts.label_selector,
                    field_selector=selectors.parse_field_selector(f"metadata.name={info.name}"),
                    resource_version=opts.resource_version,
                )
            return self._watch_stream(rt, info.namespace, opts, request, rendering)
        validation = self._field_validation(request)
        warnings: list[str] = []
        if verb == "patch" and request.content_type == patching.APPLY_PATCH:
            return await self.server_side_apply(rt, info, request, validation, dry_run=dry_run)
        if request.param("force"):
            raise _invalid_option("force", "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch")
        manager = field_manager(request)
        owner = self.resources.write_for(rt, manager, info.subresource) if manager else None
        if verb == "create":
            payload = self.check_fields(rt, await request.object(), validation, warnings)
            obj = await self.resources.create(rt, info.namespace, payload, dry_run=dry_run, owner=owner)
            return with_warnings(json_response(obj, 201), warnings)
        if verb == "update":
            payload = self.check_fields(rt, await request.object(), validation, warnings)
            obj = await self.resources.update(
                rt, info.namespace, info.name, payload, subresource=info.subresource, dry_run=dry_run, owner=owner
            )
            return with_warnings(json_response(obj), warnings)
        if verb == "patch":
            patch_type = request.content_type
            body = await request.body()

            def change(current: Obj) -> Obj:
                warnings.clear()
                patched = patching.apply(patch_type, current, body, rt, self.openapi.schemas)
                return self.check_fields(rt, patched, validation, warnings)

            obj = await self.resources.modify(
                rt, info.namespace, info.name, change, subresource=info.subresource, dry_run=dry_run, owner=owner
            )
            return with_warnings(json_response(obj), warnings)
        if verb == "delete" and (rt.group, rt.plural) == ("", "namespaces"):
            obj, deleted = await self.delete_namespace(rt, info.name, dry_run=dry_run)
            return json_response(obj, 200 if deleted else 202)
        if verb == "delete":
            options = await self._delete_options(request)
            obj, deleted = await self.resources.delete(
                rt,
                info.namespace,
                info.name,
                preconditions=options.get("preconditions"),
                grace_period=options.get("gracePeriodSeconds"),
                propagation=str(options.get("propagationPolicy") or ""),
                dry_run=dry_run,
            )
            return json_response(obj, 200 if deleted else 202)
        if verb == "deletecollection":
            options = await self._delete_options(request)
            listing = await self.resources.list(rt, info.namespace, self._list_options(request))
            for item in listing["items"]:
                meta_ = item["metadata"]
                await self.resources.delete(
                    rt,
                    meta_.get("namespace", ""),
                    meta_["name"],
                    grace_period=options.get("gracePeriodSeconds"),
                    propagation=str(options.get("propagationPolicy") or ""),
                    dry_run=dry_run,
                )
            return json_response(listing)
        raise errors.MethodNotSupported(f"{verb} is not supported on {rt.plural}", kind=rt.plural)

    def _field_schema(self, rt: ResourceType) -> managedfields.FieldSchema | None:
        schemas = self.openapi.schemas
        name = schemas.name_for(rt.group, rt.version, rt.kind)
        return None if name is None else patch.DictSchema.from_definitions(schemas.definitions, name)

    async def server_side_apply(
        self, rt: ResourceType, info: requestinfo.RequestInfo, request: Request, validation: str, *, dry_run: bool
    ) -> Response:
        """PATCH with ``application/apply-patch+yaml``: create or merge the configuration as its
        field manager, which then owns exactly the fields it applied (``core.managedfields``)."""
        manager = request.param("fieldManager")
        if not manager:
            raise _invalid_option("fieldManager", "FieldValueRequired", "Required value: is required for apply patch")
        managedfields.check_manager(manager)
        warnings: list[str] = []
        config = self.check_fields(rt, await request.object(), validation, warnings)
        if not config.get("apiVersion") or not config.get("kind"):
            raise errors.BadRequest("the applied configuration must set apiVersion and kind")
        config_meta = config.get("metadata")
        if not isinstance(config_meta, dict) or not config_meta.get("name"):
            raise errors.BadRequest("the applied configuration must set metadata.name")
        if config_meta["name"] != info.name:
            raise errors.BadRequest(
                f"the name of the object ({config_meta['name']}) does not match the name on the URL ({info.name})"
            )
        write = self.resources.write_for(rt, manager, info.subresource)
        schema = self.resources.schema_of(rt)
        force = request.flag("force")
        expected = config_meta.get("resourceVersion")

        def change(current: Obj) -> Obj:
            if expected and str(expected) != current["metadata"].get("resourceVersion"):
                raise errors.Conflict(
                    f'Operation cannot be fulfilled on {rt.plural} "{info.name}": the object has been modified; '
                    "please apply your changes to the latest version and try again",
                    kind=rt.plural,
                    group=rt.group,
                    name=info.name,
                )
            return managedfields.apply(current, config, schema, write, force=force)

        while True:
            try:
                obj = await self.resources.modify(
                    rt, info.namespace, info.name, change, subresource=info.subresource, dry_run=dry_run
                )
                return with_warnings(json_response(obj), warnings)
            except errors.NotFound as exc:
                if info.subresource or exc.name != info.name:
                    raise
            created = managedfields.apply(None, config, schema, write, force=force)
            try:
                obj = await self.resources.create(rt, info.namespace, created, dry_run=dry_run)
            except errors.AlreadyExists:
                continue  # created meanwhile: apply to it
            return with_warnings(json_response(obj, 201), warnings)

    async def delete_namespace(self, namespaces: ResourceType, name: str, *, dry_run: bool) -> tuple[Obj, bool]:
        """Terminate a namespace: no new content, delete what is in it, then the namespace itself.

        This is the namespace controller's work (issue 5 gives it its own component); until then
        the API does it inline, so a deleted namespace never leaves its objects behind. Objects
        with finalizers are marked and stay; so does the namespace, Terminating, until they go.
        """
        if dry_run:
            return await self.resources.get(namespaces, "", name), True

        def terminating(ns: Obj) -> Obj:
            ns.setdefault("status", {})["phase"] = "Terminating"  # refuses new content from now on
            return ns

        await self.resources.modify(namespaces, "", name, terminating, subresource="status")
        remaining = 0
        seen_storage: set[tuple[str, str]] = set()
        for rt in self.registry.resources():
            if not rt.namespaced or rt.virtual or rt.storage_group_resource in seen_storage:
                continue
            seen_storage.add(rt.storage_group_resource)
            listing = await self.resources.list(rt, name, ListOptions())
            for item in listing["items"]:
                try:
                    _, deleted = await self.resources.delete(rt, name, item["metadata"]["name"])
                except errors.NotFound:
                    continue
                remaining += not deleted
        if remaining:
            logger.info("namespace %s: %d objects wait for their finalizers", name, remaining)
            return await self.resources.get(namespaces, "", name), False
        return (await self.resources.delete(namespaces, "", name))[0], True

    async def scale(self, rt: ResourceType, info: requestinfo.RequestInfo, request: Request) -> Response:
        """GET, PUT and PATCH of ``/scale``: the Scale view, written back as ``spec.replicas``."""
        if info.verb == "get":
            obj = await self.resources.get(rt, info.namespace, info.name)
            return json_response(subresources.scale_of(rt, obj))
        if info.verb not in ("update", "patch"):
            raise errors.MethodNotSupported(f"{info.verb} is not supported on {rt.plural}/scale", kind=rt.plural)
        body = await request.body()
        patch_type = request.content_type

        def change(current: Obj) -> Obj:
            scale = subresources.scale_of(rt, current)
            if info.verb == "update":
                wanted = json.loads(body) if body.strip() else {}
                if not isinstance(wanted, dict):
                    raise errors.BadRequest("the body of the request must be a Scale object")
                expected = (wanted.get("metadata") or {}).get("resourceVersion")
                if expected and expected != scale["metadata"].get("resourceVersion"):
                    raise errors.Conflict(
                        f'Operation cannot be fulfilled on {rt.plural}.{rt.group} "{info.name}": the object has been '
                        "modified; please apply your changes to the latest version and try again",
                        kind=rt.plural,
                        group=rt.group,
                        name=info.name,
                    )
            else:
                wanted = patching.apply(patch_type, scale, body, rt, self.openapi.schemas)
            return subresources.with_replicas(rt, current, subresources.replicas_of(wanted))

        manager = field_manager(request)
        owner = self.resources.write_for(rt, manager, "scale") if manager else None
        obj = await self.resources.modify(rt, info.namespace, info.name, change, owner=owner)
        return json_response(subresources.scale_of(rt, obj))

    async def binding(self, pods: ResourceType, namespace: str, name: str, body: Obj) -> Response:
        """Assign a pod to a node (``pods/binding``): ``spec.nodeName``, then PodScheduled."""
        node = str((body.get("target") or {}).get("name", "")) if isinstance(body.get("target"), dict) else ""
        await self.resources.modify(pods, namespace, name, lambda pod: subresources.bind(pod, node))

        def scheduled(pod: Obj) -> Obj:
            status = pod.setdefault("status", {})
            conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
            conditions.append({"type": "PodScheduled", "status": "True", "lastTransitionTime": self.resources.clock()})
            status["conditions"] = conditions
            return pod

        await self.resources.modify(pods, namespace, name, scheduled, subresource="status")
        return json_response(success_status({"name": name, "kind": "pods"}), 201)

    async def review(self, rt: ResourceType, info: requestinfo.RequestInfo, request: Request) -> Response:
        """Create a review (TokenReview, SubjectAccessReview...): answered from the request, never stored."""
        if info.name or (rt.namespaced and not info.namespace):
            raise errors.NotFound("the server could not find the requested resource")
        warnings: list[str] = []
        body = self.check_fields(rt, await request.object(), self._field_validation(request), warnings)
        user = request.user if isinstance(request.user, auth.User) else None
        answer = reviews.review(
            rt, info.namespace, body, user=user, authenticator=auth.current_authenticator(), now=self.resources.clock()
        )
        return with_warnings(json_response(answer, 201), warnings)

    async def token_request(self, info: requestinfo.RequestInfo, request: Request) -> Response:
        """Issue a service-account token (``serviceaccounts/token``), signed by the server's key.

        Served only where the authenticator that checks tokens can sign them too, as
        kube-apiserver serves it only with a service-account issuer configured.
        """
        authenticator = auth.current_authenticator()
        if authenticator is None or not authenticator.can_issue or not info.namespace:
            raise errors.NotFound("the server could not find the requested resource")
        warnings: list[str] = []
        validation = self._field_validation(request)
        body = self.check_fields(tokens.TOKEN_REQUEST, await request.object(), validation, warnings)
        answer, notes = await tokens.request_token(
            self.resources, self.registry, authenticator, info.namespace, info.name, body
        )
        return with_warnings(json_response(answer, 201), warnings + notes)

    async def evict(self, info: requestinfo.RequestInfo, request: Request) -> Response:
        """Evict a pod (``pods/eviction``): delete it unless its disruption budget forbids it now."""
        if not info.namespace:
            raise errors.NotFound("the server could not find the requested resource")
        warnings: list[str] = []
        body = self.check_fields(eviction.EVICTION, await request.object(), self._field_validation(request), warnings)
        answer = await eviction.evict(
            self.resources, self.registry, info.namespace, info.name, body, dry_run=request.query.get("dryRun", [])
        )
        return with_warnings(json_response(answer, 201), warnings)

    @staticmethod
    def _field_validation(request: Request) -> str:
        """The ``fieldValidation`` parameter: Strict, Warn (the default) or Ignore."""
        validation = request.param("fieldValidation") or "Warn"
        if validation not in ("Strict", "Warn", "Ignore"):
            raise errors.BadRequest(
                f'fieldValidation: Unsupported value: "{validation}": supported values: "Ignore", "Strict", "Warn"'
            )
        return validation

    def check_fields(self, rt: ResourceType, obj: Obj, validation: str, warnings: list[str]) -> Obj:
        """Unknown fields: refused (Strict, 400 as the apiserver's strict decoding), or dropped with a
        warning (Warn, the default) or silently (Ignore), as decoding into the typed object drops them.

        A custom resource is pruned by its structural schema (what was pruned is what Strict
        refuses); its defaults come later, on the object to store, as a server-side apply
        configuration must not get them."""
        if rt.custom is not None:
            unknown = crds.prune(rt, obj)
        else:
            schemas = self.openapi.schemas
            unknown = schemas.unknown_fields(obj, rt.group, rt.version, rt.kind, drop=validation != "Strict")
        if unknown and validation == "Strict":
            listed = ", ".join(f'unknown field "{path}"' for path in unknown)
            raise errors.BadRequest(f"strict decoding error: {listed}")
        if validation == "Warn":
            warnings.extend(f'unknown field "{path}"' for path in unknown)
        return obj

    def _list_options(self, request: Request) -> ListOptions:
        try:
            limit = int(request.param("limit") or 0)
        except ValueError as exc:
            raise errors.BadRequest(f"invalid limit: {request.param('limit')!r}") from exc
        rv_match = request.param("resourceVersionMatch")
        if rv_match and rv_match not in ("NotOlderThan", "Exact"):
            raise errors.BadRequest(f'resourceVersionMatch: Unsupported value: "{rv_match}"')
        if rv_match and not request.param("resourceVersion"):
            raise errors.BadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided")
        if request.flag("sendInitialEvents"):
            # As a server with the WatchList feature off answers: clients fall back to list + watch.
            raise errors.Invalid(
                'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is '
                "forbidden for watch unless the WatchList feature gate is enabled",
                causes=(
                    errors.Cause(
                        "FieldValueForbidden",
                        "Forbidden: sendInitialEvents is forbidden for watch "
                        "unless the WatchList feature gate is enabled",
                        "sendInitialEvents",
                    ),
                ),
            )
        return ListOptions(
            label_selector=selectors.parse_label_selector(request.param("labelSelector")),
            field_selector=selectors.parse_field_selector(request.param("fieldSelector")),
            limit=max(0, limit),
            continue_token=request.param("continue"),
            resource_version=request.param("resourceVersion"),
            resource_version_match=rv_match,
        )

    async def _delete_options(self, request: Request) -> Obj:
        options: Obj = {}
        raw = await request.body()
        if raw.strip():
            body = await request.object()
            options.update(body)
        for name in ("gracePeriodSeconds",):
            if request.param(name):
                try:
                    options[name] = int(request.param(name))
                except ValueError as exc:
                    raise errors.BadRequest(f"invalid {name}: {request.param(name)!r}") from exc
        if request.param("propagationPolicy"):
            options["propagationPolicy"] = request.param("propagationPolicy")
        if options.get("orphanDependents") is True or request.param("orphanDependents") == "true":
            options.setdefault("propagationPolicy", "Orphan")  # the deprecated spelling
        eviction.check_propagation_policy(options.get("propagationPolicy"))
        return options

    def _watch_stream(
        self, rt: ResourceType, namespace: str, opts: ListOptions, request: Request, rendering: Rendering
    ) -> Stream:
        try:
            timeout = float(request.param("timeoutSeconds") or DEFAULT_WATCH_SECONDS)
        except ValueError as exc:
            raise errors.BadRequest(f"invalid timeoutSeconds: {request.param('timeoutSeconds')!r}") from exc
        bookmarks = request.flag("allowWatchBookmarks")
        events = self.resources.watch(rt, namespace, opts)

        async def lines() -> AsyncIterator[bytes]:
            first = True
            with trio.move_on_after(timeout):
                iterator = events.__aiter__()
                while True:
                    try:
                        with trio.move_on_after(BOOKMARK_INTERVAL if bookmarks else timeout + 1) as idle:
                            kind, obj = await iterator.__anext__()
                    except StopAsyncIteration:
                        return
                    except WatchDropped:
                        # Too far behind: the stream ends, as the apiserver closes a slow watcher,
                        # and the client watches again from the last revision it saw.
                        logger.info("a %s watch fell behind and was closed", rt.plural)
                        return
                    except errors.K3pyError as exc:
                        yield _line({"type": "ERROR", "object": errors.to_status(exc)})
                        return
                    if idle.cancelled_caught:
                        yield _line(
                            {
                                "type": "BOOKMARK",
                                "object": {
                                    "kind": rt.kind,
                                    "apiVersion": rt.api_version,
                                    "metadata": {"resourceVersion": str(self.store.revision)},
                                },
                            }
                        )
                        continue
                    if rendering.kind == "Table":
                        obj = _table(rt, [obj], rendering, no_headers=not first)
                        first = False
                    elif rendering.kind:
                        obj = _partial(obj, rendering)
                    yield _line({"type": kind, "object": obj})

        return Stream(lines(), "application/json" if not rendering.kind else rendering.content_type)

    async def _stream(self, stream: Stream, receive: Receive, send: Send) -> None:
        """Send the stream's lines as they come; stop when the client goes away."""
        first = stream.events.__aiter__()
        # Errors before the first line (an expired resourceVersion) still get a proper answer.
        try:
            async with trio.open_nursery() as nursery:

                async def disconnected() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    nursery.cancel_scope.cancel()

                nursery.start_soon(disconnected)
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [(b"content-type", stream.content_type.encode()), (b"cache-control", b"no-cache")],
                    }
                )
                async for line in first:
                    await send({"type": "http.response.body", "body": line, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                nursery.cancel_scope.cancel()
        except* errors.K3pyError as group:
            logger.debug("watch ended: %s", group.exceptions[0])


def _table(rt: ResourceType, objects: list[Obj], rendering: Rendering, **extra: Any) -> Obj:
    return tables.build_table(
        rt.group,
        rt.plural,
        objects,
        now=datetime.now(UTC),
        include_object=rendering.include_object,
        api_version=rendering.api_version,
        # a custom resource's columns: its version's additionalPrinterColumns (Name and Age without)
        printer_columns=list(rt.custom.printer_columns) if rt.custom is not None else None,
        **extra,
    )


def _partial(obj: Obj, rendering: Rendering) -> Obj:
    return {"apiVersion": rendering.api_version, "kind": "PartialObjectMetadata", "metadata": obj.get("metadata", {})}


def render_one(rt: ResourceType, obj: Obj, rendering: Rendering) -> Obj:
    if rendering.kind == "Table":
        return _table(rt, [obj], rendering, resource_version=obj["metadata"].get("resourceVersion", ""))
    if rendering.kind:
        return _partial(obj, rendering)
    return obj


def render_list(rt: ResourceType, listing: Obj, rendering: Rendering) -> Obj:
    meta = listing["metadata"]
    if rendering.kind == "Table":
        return _table(
            rt,
            listing["items"],
            rendering,
            resource_version=meta.get("resourceVersion", ""),
            continue_token=meta.get("continue", ""),
            remaining=meta.get("remainingItemCount"),
        )
    if rendering.kind:
        return {
            "apiVersion": rendering.api_version,
            "kind": "PartialObjectMetadataList",
            "metadata": meta,
            "items": [_partial(item, rendering) for item in listing["items"]],
        }
    return listing


def field_manager(request: Request) -> str:
    """Who makes a write, for managedFields: ``fieldManager``, else the client's name from its
    User-Agent (``kubectl/v1.31.0 (linux/amd64) ...`` -> ``kubectl``), as the apiserver does."""
    manager = request.param("fieldManager") or request.headers.get("user-agent", "").split("/")[0]
    manager = manager[: managedfields.MAX_MANAGER_LENGTH]
    managedfields.check_manager(manager)
    return manager


def _invalid_option(name: str, reason: str, message: str) -> errors.Invalid:
    return errors.Invalid(
        f'PatchOptions.meta.k8s.io "" is invalid: {name}: {message}',
        kind="PatchOptions",
        group="meta.k8s.io",
        causes=(errors.Cause(reason, message, name),),
    )


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


def with_warnings(response: Response, warnings: list[str]) -> Response:
    """Add ``Warning: 299 - "..."`` headers, which kubectl prints as ``Warning: ...``."""
    for text in warnings:
        quoted = text.replace("\\", "\\\\").replace('"', '\\"')
        # A header is printable ASCII: anything else (a client's odd field name) is escaped.
        printable = _UNPRINTABLE.sub(
            lambda m: f"\\x{ord(m.group()):02x}", quoted.encode("ascii", "backslashreplace").decode()
        )
        response.headers.append((b"warning", f'299 - "{printable}"'.encode()))
    return response


def _line(event: Obj) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode() + b"\n"


def _short(exc: BaseException, limit: int = 200) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "..."


def make_app(store: Store) -> App:
    """The ASGI app serving ``store``."""
    return App(store)


async def _send(send: Send, response: Response) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": response.code,
            "headers": [
                (b"content-type", response.content_type.encode()),
                (b"content-length", str(len(response.body)).encode()),
                # as the apiserver does: clients must not sniff a Status into something else
                (b"x-content-type-options", b"nosniff"),
                *response.headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": response.body})
