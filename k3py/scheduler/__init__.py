"""The scheduler: places pending pods on nodes, as kube-scheduler's default profile does (ARCHITECTURE 5).

Pure modules decide (``resources``, ``affinity``, ``cache``, ``filters``, ``scores``, ``preemption``,
``priorities``, ``queue``, ``algorithm``); ``scheduler`` is the trio shell that watches the cluster
through the Client and writes Bindings, events and pod status.
"""
