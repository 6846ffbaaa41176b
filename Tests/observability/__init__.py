"""System tests of the coordinator's monitoring port: Prometheus, the dashboard in Chromium, bad input.

A package, so that pytest imports this directory's conftest as ``observability.conftest``
and the ``conftest`` module of ``clients/python/tests`` (which its tests import from)
stays the one in ``sys.modules`` when both directories run together.
"""
