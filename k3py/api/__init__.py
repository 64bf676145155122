"""The Kubernetes API server as an ASGI app (ARCHITECTURE.md section 4); only health checks so far."""
