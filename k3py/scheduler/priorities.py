"""Pod priorities from PriorityClasses, as the Priority admission plugin would have set them. Pure.

kube-apiserver's Priority admission writes ``spec.priority`` (and ``preemptionPolicy``) from the
pod's ``priorityClassName``, or from the global default class. k3py's API does not, so the
scheduler resolves them itself, in the same order: a ``spec.priority`` already on the pod wins,
then the named class, then the ``globalDefault`` class with the lowest value, then 0. The two
built-in classes answer by name even when no object exists for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

PREEMPT_LOWER_PRIORITY: Final = "PreemptLowerPriority"
NEVER: Final = "Never"
#: scheduling/v1 SystemCriticalPriority and the built-in classes (scheduling.SystemPriorityClasses)
SYSTEM_CLASSES: Final = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}


@dataclass(frozen=True, slots=True)
class PriorityClass:
    value: int
    global_default: bool = False
    preemption_policy: str = PREEMPT_LOWER_PRIORITY

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> PriorityClass:
        value = obj.get("value")
        return cls(
            value if isinstance(value, int) and not isinstance(value, bool) else 0,
            obj.get("globalDefault") is True,
            str(obj.get("preemptionPolicy") or PREEMPT_LOWER_PRIORITY),
        )


@dataclass
class Priorities:
    """The PriorityClasses known, by name."""

    classes: dict[str, PriorityClass] = field(default_factory=dict)

    def set(self, obj: Mapping[str, Any]) -> None:
        name = str((obj.get("metadata") or {}).get("name") or "")
        self.classes[name] = PriorityClass.of(obj)

    def remove(self, name: str) -> None:
        self.classes.pop(name, None)

    def _class_of(self, spec: Mapping[str, Any]) -> PriorityClass | None:
        name = spec.get("priorityClassName")
        if name:
            found = self.classes.get(str(name))
            if found is None and name in SYSTEM_CLASSES:
                found = PriorityClass(SYSTEM_CLASSES[str(name)])
            return found
        defaults = [c for c in self.classes.values() if c.global_default]
        return min(defaults, key=lambda c: c.value) if defaults else None

    def priority(self, pod: Mapping[str, Any]) -> int:
        spec = pod.get("spec") or {}
        value = spec.get("priority")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        found = self._class_of(spec)
        return found.value if found is not None else 0

    def preemption_policy(self, pod: Mapping[str, Any]) -> str:
        spec = pod.get("spec") or {}
        policy = spec.get("preemptionPolicy")
        if policy:
            return str(policy)
        found = self._class_of(spec)
        return found.preemption_policy if found is not None else PREEMPT_LOWER_PRIORITY
