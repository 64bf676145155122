"""Store errors become Kubernetes errors here, with the resource and name added.

The messages are the apiserver's (``staging/src/k8s.io/apiserver/pkg/storage/errors``, and
``apimachinery/pkg/api/errors``): clients show them verbatim and some tools match on them.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from k3py.core import errors
from k3py.store import errors as store_errors

if TYPE_CHECKING:
    from collections.abc import Iterator


def qualified(group: str, plural: str) -> str:
    """``deployments.apps``, or ``pods`` for the core group (GroupResource.String())."""
    return f"{plural}.{group}" if group else plural


def not_found(group: str, plural: str, name: str) -> errors.NotFound:
    return errors.NotFound(f'{qualified(group, plural)} "{name}" not found', kind=plural, group=group, name=name)


@contextmanager
def interpreted(group: str, plural: str, name: str = "") -> Iterator[None]:
    """Translate store errors raised inside the block for a request on ``plural`` ``name``."""
    what = qualified(group, plural)
    try:
        yield
    except store_errors.KeyExists as exc:
        raise errors.AlreadyExists(f'{what} "{name}" already exists', kind=plural, group=group, name=name) from exc
    except store_errors.KeyNotFound as exc:
        raise not_found(group, plural, name) from exc
    except store_errors.RevisionMismatch as exc:
        raise errors.Conflict(
            f'Operation cannot be fulfilled on {what} "{name}": the object has been modified; '
            "please apply your changes to the latest version and try again",
            kind=plural,
            group=group,
            name=name,
        ) from exc
    except store_errors.Compacted as exc:
        raise errors.Expired(
            f"too old resource version: {exc.requested} ({exc.compacted})", kind=plural, group=group
        ) from exc
    except store_errors.FutureRevision as exc:
        raise errors.Timeout(
            f"Too large resource version: {exc.requested}, current: {exc.current}",
            kind=plural,
            group=group,
            retry_after_seconds=1,
        ) from exc
    except store_errors.BadContinueToken as exc:
        raise errors.BadRequest(str(exc)) from exc
    except store_errors.StoreFull as exc:
        raise errors.ServiceUnavailable(f"the datastore is out of space: {exc.cause}", retry_after_seconds=5) from exc
    except store_errors.StoreUnavailable as exc:
        raise errors.ServiceUnavailable(f"the datastore is unavailable: {exc.cause}", retry_after_seconds=1) from exc
    except store_errors.StoreClosed as exc:
        raise errors.ServiceUnavailable("the server is shutting down", retry_after_seconds=1) from exc
