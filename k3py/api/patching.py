"""PATCH requests: pick the algorithm from the Content-Type and apply it to the current object.

The algorithms are pure and live in ``core.patch``; this module only maps content types to them
and errors to Kubernetes' answers (415 for an unknown patch type).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from k3py.core import errors, patch

if TYPE_CHECKING:
    from k3py.api import openapi
    from k3py.api.registry import ResourceType

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)


def apply(
    patch_type: str, current: dict[str, Any], body: bytes, rt: ResourceType, schemas: openapi.Schemas
) -> dict[str, Any]:
    """``current`` with the patch in ``body`` applied; raises BadRequest/UnsupportedMediaType/Invalid."""
    if patch_type not in PATCH_TYPES:
        raise errors.UnsupportedMediaType(
            f"the body of the request was in an unknown format - accepted media types include: {', '.join(PATCH_TYPES)}"
        )
    if patch_type == APPLY_PATCH:
        raise errors.UnsupportedMediaType("server-side apply is not supported on this subresource")
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise errors.BadRequest(f"error decoding patch: {exc}") from exc
    if patch_type == JSON_PATCH:
        if not isinstance(document, list):
            raise errors.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        result = patch.json_patch(current, document)
    elif not isinstance(document, dict):
        raise errors.BadRequest("the patch must be a JSON object")
    elif patch_type == MERGE_PATCH:
        result = patch.merge_patch(current, document)
    else:
        name = schemas.name_for(rt.group, rt.version, rt.kind)
        if name is None or name in schemas.custom:  # custom resources have no patch strategies: refused
            raise errors.UnsupportedMediaType(
                f"the body of the request was in an unknown format - accepted media types include: "
                f"{JSON_PATCH}, {MERGE_PATCH}, {APPLY_PATCH}"
            )
        schema = patch.DictSchema.from_definitions(schemas.definitions, name)
        result = patch.strategic_merge_patch(current, document, schema)
    if not isinstance(result, dict):
        raise errors.BadRequest("the patched object is not an object")
    return result
