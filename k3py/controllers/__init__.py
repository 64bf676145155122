"""Controllers: informers, work queues and the reconcilers that make objects true (ARCHITECTURE 5)."""
