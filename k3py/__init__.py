"""k3py: a K3s-style Kubernetes distribution in Python for edge and IoT boards."""

import sys

__version__ = "0.1.0"

# httpx imports its command-line tool whenever click, rich and pygments happen to be installed
# (a developer's venv, a desktop distribution), which costs ~5 MB of RSS and 40 ms of start in
# every k3py process; k3py never runs that tool, so its import is refused up front (httpx then
# defines a stand-in that explains the missing tool, as it does without those packages).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
