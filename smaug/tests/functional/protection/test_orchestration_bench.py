"""The orchestration benchmark (bench/orchestration.py) still runs.

Only its in-process part, on a small graph: the benchmark itself is not
part of the suite, but it builds flows from the product's tasks and
engine, and should not rot when they change.
"""
import importlib.util

import pytest

from smaug.tests.fixtures import process

BENCH = process.REPO / 'bench'


@pytest.fixture
def orchestration(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location(
        'orchestration', BENCH / 'orchestration.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('engine', ['ours', 'stock'])
def test_engine_trial_runs_the_resource_flow(orchestration, engine):
    timings = orchestration.engine_trial(engine, 20)
    assert timings['atoms'] == 40
    assert 0 < timings['compile'] < timings['total']
