"""The revision log's rules as pure functions: MVCC decisions, the history window, ranges at a revision."""

from __future__ import annotations

import pytest

from k3py.store import revlog
from k3py.store.errors import Compacted, FutureRevision, KeyExists, KeyNotFound, RevisionMismatch
from k3py.store.revlog import Create, Delete, Event, EventType, History, KeySpace, KeyValue, Update, apply_op

A1 = KeyValue("/r/a", b"1", 1, 1)


@pytest.mark.parametrize(
    ("op", "current", "expected"),
    [
        pytest.param(
            Create("/r/a", b"1"), None, Event(EventType.CREATE, KeyValue("/r/a", b"1", 5, 5), None), id="create"
        ),
        pytest.param(
            Update("/r/a", b"2", 1), A1, Event(EventType.UPDATE, KeyValue("/r/a", b"2", 1, 5), A1), id="update-cas-ok"
        ),
        pytest.param(
            Delete("/r/a", None), A1, Event(EventType.DELETE, KeyValue("/r/a", b"1", 1, 5), A1), id="delete-any-rev"
        ),
        pytest.param(Delete("/r/a", 1), A1, Event(EventType.DELETE, KeyValue("/r/a", b"1", 1, 5), A1), id="delete-cas"),
    ],
)
def test_apply_op_valid_ops_produce_events(op: revlog.Op, current: KeyValue | None, expected: Event) -> None:
    assert apply_op(op, current, 5) == expected


@pytest.mark.parametrize(
    ("op", "current", "error"),
    [
        pytest.param(Create("/r/a", b"1"), A1, KeyExists, id="create-existing"),
        pytest.param(Update("/r/a", b"2", 1), None, KeyNotFound, id="update-missing"),
        pytest.param(Update("/r/a", b"2", 7), A1, RevisionMismatch, id="update-stale-revision"),
        pytest.param(Delete("/r/a", None), None, KeyNotFound, id="delete-missing"),
        pytest.param(Delete("/r/a", 9), A1, RevisionMismatch, id="delete-stale-revision"),
    ],
)
def test_apply_op_invalid_ops_raise(op: revlog.Op, current: KeyValue | None, error: type[Exception]) -> None:
    with pytest.raises(error):
        apply_op(op, current, 5)


def test_apply_op_stale_revision_carries_current_value() -> None:
    with pytest.raises(RevisionMismatch) as info:
        apply_op(Update("/r/a", b"2", 7), A1, 5)
    assert info.value.current == A1


def _history(n: int, max_events: int = 100) -> tuple[History, KeySpace]:
    """n updates cycling over keys /r/k0../r/k2 (created first)."""
    history, space = History(max_events=max_events), KeySpace()
    for rev in range(1, n + 1):
        key = f"/r/k{rev % 3}"
        op: revlog.Op = (
            Create(key, b"%d" % rev) if space.get(key) is None else Update(key, b"%d" % rev, space.get(key).mod_rev)  # type: ignore[union-attr]
        )
        event = apply_op(op, space.get(key), rev)
        space.apply(event)
        history.append(event, now=float(rev))
    return history, space


def test_history_count_bound_evicts_oldest_and_advances_compact_revision() -> None:
    history, _ = _history(10, max_events=4)
    assert len(history) == 4
    assert history.compact_rev == 6
    assert [ev.revision for ev in history.after(6)] == [7, 8, 9, 10]
    with pytest.raises(Compacted):
        history.check(5, 10)
    history.check(6, 10)  # the compact revision itself is fine: every later event is kept


def test_history_age_bound_evicts_events_older_than_cutoff() -> None:
    history, _ = _history(10)
    history.evict_older_than(7.5)  # events were appended at times 1..10
    assert history.compact_rev == 7
    assert [ev.revision for ev in history.after(0)] == [8, 9, 10]


def test_history_future_revision_raises() -> None:
    history, _ = _history(3)
    with pytest.raises(FutureRevision):
        history.check(4, 3)


def test_history_after_filters_by_prefix() -> None:
    history, _ = _history(6)
    assert [ev.revision for ev in history.after(0, "/r/k1")] == [1, 4]


def test_history_append_out_of_order_raises() -> None:
    history, _ = _history(3)
    with pytest.raises(ValueError, match="revision"):
        history.append(Event(EventType.CREATE, KeyValue("/r/x", b"", 2, 2), None), now=0.0)


def test_history_trims_its_list_after_many_evictions() -> None:
    history, _ = _history(5000, max_events=10)
    assert len(history) == 10
    assert len(history._events) < 2100  # evicted entries are released, not kept behind a head index


def test_keyspace_range_is_sorted_and_respects_prefix_bounds() -> None:
    space = KeySpace(
        [KeyValue(k, b"", 1, 1) for k in ("/r/b/2", "/r/a/1", "/r/ab/1", "/r/b/1", "/r/a/2")],
    )
    assert [kv.key for kv in space.range("/r/a/", revlog.prefix_end("/r/a/"))] == ["/r/a/1", "/r/a/2"]
    assert space.count("/r/b/", revlog.prefix_end("/r/b/")) == 2


def test_keyspace_range_at_undoes_later_creates_updates_and_deletes() -> None:
    space, history = KeySpace(), History()
    ops: list[revlog.Op] = [
        Create("/r/a", b"a1"),  # 1
        Create("/r/b", b"b1"),  # 2
        Update("/r/a", b"a2", 1),  # 3
        Create("/r/c", b"c1"),  # 4
        Delete("/r/b", 2),  # 5
        Update("/r/a", b"a3", 3),  # 6
    ]
    for rev, op in enumerate(ops, start=1):
        event = apply_op(op, space.get(op.key), rev)
        space.apply(event)
        history.append(event, now=0.0)

    def at(revision: int) -> list[tuple[str, bytes]]:
        return [(kv.key, kv.value) for kv in space.range_at("/r/", revlog.prefix_end("/r/"), revision, history)]

    assert at(2) == [("/r/a", b"a1"), ("/r/b", b"b1")]
    assert at(4) == [("/r/a", b"a2"), ("/r/b", b"b1"), ("/r/c", b"c1")]
    assert at(5) == [("/r/a", b"a2"), ("/r/c", b"c1")]
    assert at(6) == [("/r/a", b"a3"), ("/r/c", b"c1")]
    # A start key in the middle, as a continue token gives.
    assert [kv.key for kv in space.range_at("/r/b", revlog.prefix_end("/r/"), 2, history)] == ["/r/b"]


def test_keyspace_range_at_with_unknown_predecessor_raises_compacted() -> None:
    space, history = KeySpace([KeyValue("/r/a", b"2", 1, 2)]), History(compact_rev=1)
    history.append(Event(EventType.UPDATE, KeyValue("/r/a", b"2", 1, 2), None, prev_known=False), now=0.0)
    with pytest.raises(Compacted):
        list(space.range_at("/r/", revlog.prefix_end("/r/"), 1, history))
