"""The recording providers of the protection engine's functional tests.

Each is the recording plugin with its own injected delay and failure, so
that tests sharing one deployment each pick the behaviour they need.
"""
from smaug.tests.fixtures import engine_deployment
from smaug.tests.plugins import synthetic

# Flows of FAULT_GRAPH on the fault providers last 1-3 s.
FAULT_GRAPH = (30, 3)
FAULT_DELAY = 0.1
FAILING_NODE = synthetic.node(*FAULT_GRAPH, 7).id
COMPENSATED_GRAPH = (40, 3)
COMPENSATED_NODE = synthetic.node(*COMPENSATED_GRAPH, 4).id

ALL = [
    engine_deployment.recording_provider('ordered', delay=0.01),
    engine_deployment.recording_provider('faults', delay=FAULT_DELAY),
    engine_deployment.recording_provider(
        'failing-protect', delay=FAULT_DELAY, fail_resource=FAILING_NODE,
        fail_operation='protect', fail_phase='sync'),
    engine_deployment.recording_provider(
        'failing-restore', delay=FAULT_DELAY, fail_resource=FAILING_NODE,
        fail_operation='restore', fail_phase='run'),
    engine_deployment.recording_provider(
        'compensated', delay=0.01, fail_resource=COMPENSATED_NODE,
        fail_operation='protect', fail_phase='sync'),
    # Copies go from the first's bank to the second's.
    engine_deployment.recording_provider('copy-source', delay=0.01),
    engine_deployment.recording_provider('copy-destination', delay=0.01),
]
