"""Object metadata rules the API applies on every write: names, generateName, system fields.

Pure: the clock and the uid source are passed in. Messages follow apimachinery's validation
(``IsDNS1123Subdomain``, ``IsDNS1123Label``, ``ValidatePathSegmentName``) because clients and users
see them verbatim.
"""

from __future__ import annotations

import random
import re
from typing import Any

from k3py.core.errors import Cause

DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN = DNS1123_LABEL + r"(\." + DNS1123_LABEL + ")*"
_LABEL_RE = re.compile(DNS1123_LABEL)
_SUBDOMAIN_RE = re.compile(DNS1123_SUBDOMAIN)
# apimachinery's SimpleNameGenerator: five characters from an alphabet without vowels and 0/1/3.
GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
GENERATE_SUFFIX = 5
MAX_GENERATED_BASE = 63 - GENERATE_SUFFIX
LABEL_MAX = 63
SUBDOMAIN_MAX = 253


def name_errors(name: str, rule: str) -> list[str]:
    """What is wrong with ``name`` under ``rule`` ("subdomain", "label" or "path"); empty if fine."""
    if rule == "path":
        if name in (".", ".."):
            return [f"may not be '{name}'"]
        return [f"may not contain '{ch}'" for ch in ("/", "%") if ch in name]
    if rule == "label":
        errors = []
        if len(name) > LABEL_MAX:
            errors.append(f"must be no more than {LABEL_MAX} characters")
        if not _LABEL_RE.fullmatch(name):
            errors.append(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                f"validation is '{DNS1123_LABEL}')"
            )
        return errors
    errors = []
    if len(name) > SUBDOMAIN_MAX:
        errors.append(f"must be no more than {SUBDOMAIN_MAX} characters")
    if not _SUBDOMAIN_RE.fullmatch(name):
        errors.append(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
            "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
            f"is '{DNS1123_SUBDOMAIN}')"
        )
    return errors


def name_causes(name: str, rule: str, field: str = "metadata.name") -> list[Cause]:
    return [Cause("FieldValueInvalid", f'Invalid value: "{name}": {msg}', field) for msg in name_errors(name, rule)]


def generate_name(base: str, rng: random.Random | None = None) -> str:
    """``base`` plus five random characters, as apiserver does for ``metadata.generateName``."""
    chooser = rng or random.SystemRandom()
    suffix = "".join(chooser.choice(GENERATE_ALPHABET) for _ in range(GENERATE_SUFFIX))
    return base[:MAX_GENERATED_BASE] + suffix


def spec_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether an update changes more than metadata and status: then ``generation`` goes up."""
    strip = ("metadata", "status", "apiVersion", "kind")
    return {k: v for k, v in old.items() if k not in strip} != {k: v for k, v in new.items() if k not in strip}


# Fields the server owns: what a client sends here is replaced on create and kept on update.
SYSTEM_FIELDS = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation")
