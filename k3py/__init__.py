"""k3py: a K3s-style Kubernetes distribution in Python for edge and IoT boards."""

__version__ = "0.1.0"
