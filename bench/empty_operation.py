"""A scheduled operation type that does nothing, for the benchmarks.

A run of it costs only what the scheduler costs (the claim, the run
record, its end), so its lateness is the scheduler's own. It is published
to the benchmark's engines as the entry point ``smaug.operations:
bench-empty``.
"""
from smaug.operationengine.operations import base


class EmptyOperation(base.ScheduledOperationType):
    name = 'bench-empty'

    def run(self, run):
        return {}
