"""Write ``k3py/api/data/protobuf.json.gz``: Kubernetes' protobuf field tables, for decoding request bodies.

client-go (so kubectl) sends built-in objects as ``application/vnd.kubernetes.protobuf`` and does not
fall back to JSON on a 415, so k3py decodes that encoding (``k3py/api/protobuf.py``). The decoder needs
each message's field numbers and types, which only Kubernetes' ``generated.proto`` files hold, and the
JSON name and Go shape of each field (pointer, ``omitempty``, embedded and inlined), which only the Go
types beside them hold. CI has neither, so this script's output is committed and this script documents
how to make it again.

Usage (each argument a checkout: a work tree or a bare git directory, optionally ``PATH@REV``)::

    python scripts/gen_protobuf.py \\
        /src/kubernetes/api /src/kubernetes/apimachinery \\
        /src/kubernetes/apiextensions-apiserver /src/kubernetes/kube-aggregator

The committed file was made from the newest snapshots of the staging repositories (their ``master``),
which is Kubernetes 1.37 (k3py serves 1.37; the snapshots' newest tag is ``v0.37.0-beta.0``, which the
``master`` commits below follow by a few days; a field number never changes meaning, so later sources
only add fields):

- k8s.io/api                     10b39a39bcee995dfe7cd5e8e7b922be5e46f1e2 (2026-07-24)
- k8s.io/apimachinery            eed236ceee2c19c2753a3d93ac0631dc20750454 (2026-07-23)
- k8s.io/apiextensions-apiserver 1aa2717a552ee6ca1e2a18f1f8ffccde981db923 (2026-07-22)
- k8s.io/kube-aggregator         232ca687ab24bc9f9a378cba74716b5f7d6b82eb (2026-07-01)

The commits are recorded in the file too (``sources``). The output is deterministic (sorted keys,
gzip without a timestamp), so running the script again on the same commits gives the same bytes.

The table: ``packages`` maps a proto package to its API ``group``/``version`` and its messages; a
message maps a field number (as a string) to ``[json name, type, flags]``. The type is a scalar
(``string``, ``int32``, ``bytes``...) or a message's full name; a map's type is its value type (keys
are always strings). Flags: ``r`` repeated, ``m`` map, ``i`` embedded and inlined in JSON, ``p`` a Go
pointer (a zero value on the wire was set on purpose), ``o`` a non-pointer with ``omitempty`` (a zero
value means unset). ``lists`` names messages that wrap a Go slice type (``type ExtraValue []string``)
and are a plain JSON array of their ``items``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent.parent / "k3py" / "api" / "data" / "protobuf.json.gz"

SCALARS = frozenset(
    {
        "double",
        "float",
        "int32",
        "int64",
        "uint32",
        "uint64",
        "sint32",
        "sint64",
        "fixed32",
        "fixed64",
        "sfixed32",
        "sfixed64",
        "bool",
        "string",
        "bytes",
    }
)
# Test types of apimachinery's own tests: no server serves them.
SKIP_DIRS = ("pkg/apis/testapigroup/", "examples/")

_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.M)
_MESSAGE = re.compile(r"\bmessage\s+(\w+)\s*\{")
_FIELD = re.compile(r"^\s*(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*(?:\[[^\]]*\])?\s*;\s*$")
_MAP_FIELD = re.compile(r"^\s*map\s*<\s*(\w+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;\s*$")
_GO_STRUCT = re.compile(r"^type\s+(\w+)\s+struct\s*\{\s*$")
_GO_SLICE = re.compile(r"^type\s+(\w+)\s+\[\][\w.*]+\s*$")
_GO_TAG = re.compile(r'(\w+):"([^"]*)"')
_GROUP_MARKER = re.compile(r"^//\s*\+groupName=([\w.-]*)\s*$", re.M)
_GROUP_CONST = re.compile(r'^\s*(?:const\s+)?GroupName\s*=\s*"([\w.-]*)"', re.M)


class Source:
    """One checkout: a work tree, or a git directory read at a revision (no work tree needed)."""

    def __init__(self, spec: str) -> None:
        path, _, rev = spec.partition("@")
        self.path = Path(path)
        self.is_git_dir = (self.path / "objects").is_dir() and (self.path / "HEAD").is_file()
        self.rev = rev or "HEAD"
        if not self.is_git_dir and rev:
            raise SystemExit(f"{spec}: a revision needs a git directory, not a work tree")
        self.commit = self._commit()

    def _git(self, *args: str) -> str:
        where = ["--git-dir", str(self.path)] if self.is_git_dir else ["-C", str(self.path)]
        return subprocess.run(["git", *where, *args], capture_output=True, text=True, check=True).stdout

    def _commit(self) -> str:
        try:
            return self._git("rev-parse", self.rev + "^{commit}").strip()
        except (subprocess.CalledProcessError, FileNotFoundError):
            return "unknown (not a git checkout)"

    def files(self) -> list[str]:
        if self.is_git_dir:
            return sorted(self._git("ls-tree", "-r", "--name-only", self.rev).splitlines())
        return sorted(str(p.relative_to(self.path)) for p in self.path.rglob("*") if p.is_file())

    def read(self, name: str) -> str:
        if self.is_git_dir:
            return self._git("show", f"{self.rev}:{name}")
        return (self.path / name).read_text()

    def module(self) -> str:
        for line in self.read("go.mod").splitlines():
            if line.startswith("module "):
                return line.split()[1]
        raise SystemExit(f"{self.path}: go.mod names no module")


@dataclass
class ProtoField:
    name: str
    type: str  # as written: a scalar, ".full.Name" or a name relative to the package
    number: int
    repeated: bool = False
    map_key: str = ""


@dataclass
class ProtoFile:
    package: str
    directory: str
    messages: dict[str, list[ProtoField]] = field(default_factory=dict)


@dataclass
class GoField:
    json: str | None  # None: no json tag
    embedded: bool
    pointer: bool
    omitempty: bool


def parse_proto(text: str, directory: str) -> ProtoFile:
    """The messages of one generated.proto; go-to-protobuf writes no nesting, enums or oneofs."""
    text = _COMMENT.sub("", text)
    package = _PACKAGE.search(text)
    if not package:
        raise SystemExit(f"{directory}: no package statement")
    out = ProtoFile(package.group(1), directory)
    for match in _MESSAGE.finditer(text):
        depth, end = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        body = text[match.end() : end - 1]
        if "{" in body:
            raise SystemExit(f"{out.package}.{match.group(1)}: nested declarations are not supported")
        fields = []
        for statement in body.split(";"):
            statement = statement.strip()
            if not statement or statement.startswith(("option ", "reserved ")):
                continue
            if m := _FIELD.match(statement + ";"):
                label, type_, name, number = m.groups()
                fields.append(ProtoField(name, type_, int(number), repeated=label == "repeated"))
            elif m := _MAP_FIELD.match(statement + ";"):
                key, value, name, number = m.groups()
                if key != "string":
                    raise SystemExit(f"{out.package}.{match.group(1)}: map key {key} is not supported")
                fields.append(ProtoField(name, value, int(number), map_key=key))
            else:
                raise SystemExit(f"{out.package}.{match.group(1)}: cannot parse {statement!r}")
        out.messages[match.group(1)] = fields
    return out


def parse_go(texts: list[str]) -> tuple[dict[str, dict[int, GoField]], set[str]]:
    """Go structs' protobuf-tagged fields by struct and field number, and the slice types of a package."""
    structs: dict[str, dict[int, GoField]] = {}
    slices: set[str] = set()
    for text in texts:
        current: dict[int, GoField] | None = None
        for line in text.splitlines():
            if current is None:
                if m := _GO_STRUCT.match(line):
                    current = structs.setdefault(m.group(1), {})
                elif m := _GO_SLICE.match(line):
                    slices.add(m.group(1))
                continue
            if line.startswith("}"):
                current = None
                continue
            code, _, rest = line.partition("`")
            if not rest or code.strip().startswith("//"):
                continue
            tags = dict(_GO_TAG.findall(rest.rpartition("`")[0]))
            parts = tags.get("protobuf", "").split(",")
            if len(parts) < 2 or not parts[1].isdigit():  # untagged, or protobuf:"-"
                continue
            number = int(parts[1])
            words = code.split()
            embedded = len(words) == 1
            go_type = words[0] if embedded else "".join(words[1:])
            json_name: str | None = None
            omitempty = False
            if "json" in tags:
                name, *options = tags["json"].split(",")
                json_name, omitempty = name, "omitempty" in options
            current[number] = GoField(json_name, embedded, go_type.startswith("*"), omitempty)
    return structs, slices


def group_of(source: Source, directory: str, names: set[str]) -> str | None:
    """The API group a Go package serves, from its ``+groupName`` marker or ``GroupName`` constant."""
    for name in ("doc.go", "register.go"):
        path = f"{directory}/{name}"
        if path not in names:
            continue
        text = source.read(path)
        if m := _GROUP_MARKER.search(text) or _GROUP_CONST.search(text):
            return m.group(1)
    return None


def resolve(type_: str, package: str, known: set[str]) -> str:
    """A field type's full name, by protobuf's scoping rules (innermost package first)."""
    if type_ in SCALARS:
        return type_
    if type_.startswith("."):
        return type_[1:]
    scope = package
    while True:
        candidate = f"{scope}.{type_}" if scope else type_
        if candidate in known:
            return candidate
        if not scope:
            raise SystemExit(f"{package}: unknown type {type_}")
        scope = scope.rpartition(".")[0]


def build(sources: list[Source]) -> dict[str, Any]:
    protos: list[tuple[Source, ProtoFile, dict[str, dict[int, GoField]], set[str], str | None]] = []
    for source in sources:
        names = source.files()
        name_set = set(names)
        for name in names:
            if not name.endswith("/generated.proto") or name.startswith(SKIP_DIRS):
                continue
            directory = name.rpartition("/")[0]
            proto = parse_proto(source.read(name), directory)
            go_files = [
                n
                for n in names
                if n.rpartition("/")[0] == directory
                and n.endswith(".go")
                and not n.endswith(("_test.go", ".pb.go"))
                and not n.rpartition("/")[2].startswith("zz_generated")
            ]
            structs, slices = parse_go([source.read(n) for n in go_files])
            protos.append((source, proto, structs, slices, group_of(source, directory, name_set)))
    known = {f"{p.package}.{m}" for _, p, _, _, _ in protos for m in p.messages}
    packages: dict[str, dict[str, Any]] = {}
    lists: list[str] = []
    missing: list[str] = []
    for _source, proto, structs, slices, group in protos:
        messages: dict[str, dict[str, list[str]]] = {}
        for message, fields in proto.messages.items():
            full = f"{proto.package}.{message}"
            if message in slices and [f.name for f in fields] == ["items"] and fields[0].repeated:
                lists.append(full)
            go = structs.get(message, {})
            table: dict[str, list[str]] = {}
            for f in fields:
                type_ = resolve(f.type, proto.package, known)
                flags = "r" if f.repeated else "m" if f.map_key else ""
                name = f.name
                g = go.get(f.number)
                if g is None:
                    if message not in slices:
                        missing.append(f"{full}.{f.name}")
                else:
                    if g.embedded and g.json in ("", None) and type_ not in SCALARS:
                        flags += "i"
                    elif g.json not in (None, "", "-"):
                        name = g.json
                    if g.pointer:
                        flags += "p"
                    elif g.omitempty:
                        flags += "o"
                table[str(f.number)] = [name, type_, flags]
            messages[message] = table
        info: dict[str, Any] = {"messages": messages}
        version = proto.directory.rpartition("/")[2]
        if group is not None and re.fullmatch(r"v\d+((alpha|beta)\d+)?", version):
            info["group"], info["version"] = group, version
        packages[proto.package] = info
    if missing:
        print(f"{len(missing)} fields without a Go struct tag (proto names kept):", file=sys.stderr)
        for name in missing:
            print("  " + name, file=sys.stderr)
    return {
        "sources": {source.module(): source.commit for source in sources},
        "packages": packages,
        "lists": sorted(lists),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs="+", help="k8s.io/api, apimachinery, ... (work tree or git dir[@rev])")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    table = build([Source(spec) for spec in args.checkouts])
    data = json.dumps(table, sort_keys=True, separators=(",", ":")).encode()
    args.output.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    messages = sum(len(p["messages"]) for p in table["packages"].values())
    print(
        f"wrote {args.output}: {len(table['packages'])} packages, {messages} messages, "
        f"{len(data)} bytes of JSON, {args.output.stat().st_size} gzipped"
    )


if __name__ == "__main__":
    main()
