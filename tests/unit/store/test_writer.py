"""The writer's decisions, with a backend that records commits: batching, rollback, deletions."""

from __future__ import annotations

from k3py.store.backend import META_COMPACTED, Commit, Loaded
from k3py.store.errors import KeyExists, StoreFull
from k3py.store.revlog import Create, Delete, Update
from k3py.store.writer import COMPACT_CHUNK, CompactTo, Flush, Writer, WriteRequest


class RecordingBackend:
    location = "recording"

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.commits: list[Commit] = []
        self.fail_with = fail_with

    def open(self) -> Loaded:
        return Loaded(kvs=[], log=[], meta={})

    def commit(self, commit: Commit) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.commits.append(commit)

    def close(self) -> None:
        pass


def writer(backend: RecordingBackend) -> Writer:
    w = Writer(backend, coalesce_interval=60.0, revision_reserve=1000, max_batch=100)
    w.open()
    return w


def test_one_batch_is_one_commit_and_failed_ops_take_no_revision() -> None:
    backend = RecordingBackend()
    w = writer(backend)
    requests = [
        WriteRequest(Create("/k/a", b"1")),
        WriteRequest(Create("/k/a", b"2")),
        WriteRequest(Create("/k/b", b"1")),
    ]
    events, answered, fatal = w.process(list(requests))
    assert fatal is None
    assert answered == requests
    assert isinstance(requests[1].error, KeyExists)
    assert [ev.revision for ev in events] == [1, 2]
    assert len(backend.commits) == 1
    assert [ev.revision for ev in backend.commits[0].log] == [1, 2]


def test_failed_commit_rolls_back_view_and_revision() -> None:
    backend = RecordingBackend()
    w = writer(backend)
    w.process([WriteRequest(Create("/k/a", b"1"))])
    backend.fail_with = StoreFull("db", "no space")
    request = WriteRequest(Update("/k/a", b"2", 1))
    events, _, fatal = w.process([request])
    assert (events, fatal) == ([], None)  # a full disk is not fatal
    assert isinstance(request.error, StoreFull)
    assert (w.revision, w.view["/k/a"].value) == (1, b"1")
    backend.fail_with = None
    retry = WriteRequest(Update("/k/a", b"2", 1))
    w.process([retry])
    assert retry.error is None
    assert retry.result is not None and retry.result.mod_rev == 2


def test_compaction_deletes_history_but_never_a_current_value() -> None:
    backend = RecordingBackend()
    w = writer(backend)
    w.process([WriteRequest(Create("/k/keep", b"v"))])  # rev 1 stays current throughout
    w.process([WriteRequest(Create("/k/x", b"0"))])  # rev 2
    for rev in range(3, COMPACT_CHUNK + 10):
        w.process([WriteRequest(Update("/k/x", b"%d" % rev, rev - 1))])
    w.process([CompactTo(COMPACT_CHUNK + 5)])
    deletion = backend.commits[-1]
    assert deletion.meta[META_COMPACTED] == COMPACT_CHUNK  # one chunk at a time
    assert 1 not in deletion.delete_revs  # /k/keep's only row is its value
    assert set(deletion.delete_revs) == set(range(2, COMPACT_CHUNK + 1))


def test_row_superseded_below_the_window_is_deleted_later() -> None:
    backend = RecordingBackend()
    w = writer(backend)
    w.process([WriteRequest(Create("/k/old", b"v"))])  # rev 1, current while compacted past
    w.process([WriteRequest(Create("/k/x", b"0"))])
    for rev in range(3, COMPACT_CHUNK + 3):
        w.process([WriteRequest(Update("/k/x", b"%d" % rev, rev - 1))])
    w.process([CompactTo(COMPACT_CHUNK)])
    assert 1 not in backend.commits[-1].delete_revs
    w.process([WriteRequest(Delete("/k/old"))])  # rev 1 is garbage now
    assert w.garbage == [1]
    w.process([Flush()])
    assert 1 in backend.commits[-1].delete_revs
    assert w.garbage == []
