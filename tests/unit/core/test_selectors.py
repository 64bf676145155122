"""Label and field selectors as apimachinery parses and matches them."""

from __future__ import annotations

import pytest

from k3py.core import errors
from k3py.core.selectors import parse_field_selector, parse_label_selector, selector_from_label_selector

LABELS = {"app": "web", "tier": "front", "env": "prod"}


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        pytest.param("", True, id="empty-matches-all"),
        pytest.param("app=web", True, id="equals"),
        pytest.param("app==web", True, id="double-equals"),
        pytest.param("app!=web", False, id="not-equals"),
        pytest.param("missing!=x", True, id="not-equals-missing-key"),
        pytest.param("app", True, id="exists"),
        pytest.param("!app", False, id="not-exists"),
        pytest.param("!missing", True, id="not-exists-missing"),
        pytest.param("env in (prod,staging)", True, id="in"),
        pytest.param("env notin (prod)", False, id="notin"),
        pytest.param("missing notin (x)", True, id="notin-missing-key"),
        pytest.param("app=web,tier in (front, back),!canary", True, id="conjunction"),
        pytest.param("app=web,tier=back", False, id="conjunction-fails"),
        pytest.param("example.com/role=x", False, id="prefixed-key"),
    ],
)
def test_label_selector_matches(text: str, matches: bool) -> None:
    assert parse_label_selector(text).matches(LABELS) is matches


@pytest.mark.parametrize("text", ["a in (b", "=x", "a=b=c d", "-bad=x"])
def test_label_selector_rejects_garbage(text: str) -> None:
    with pytest.raises(errors.BadRequest):
        parse_label_selector(text)


def test_label_selector_object_form() -> None:
    sel = selector_from_label_selector(
        {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}]}
    )
    assert sel.matches(LABELS)
    assert not sel.matches({"app": "web"})
    with pytest.raises(errors.BadRequest):
        selector_from_label_selector({"matchExpressions": [{"key": "a", "operator": "Near"}]})


def test_field_selector_terms_escapes_and_name_lookup() -> None:
    sel = parse_field_selector(r"metadata.name=a\,b,status.phase!=Running")
    fields = {"metadata.name": "a,b", "status.phase": "Pending"}
    assert sel.matches(fields.get)
    assert not sel.matches({**fields, "status.phase": "Running"}.get)
    assert sel.value_of("metadata.name") == "a,b"
    with pytest.raises(errors.BadRequest):
        parse_field_selector("metadata.name")
