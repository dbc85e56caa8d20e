"""Waits on asynchronous resources: when to act, wait again, or give up."""
from oslo_config import fixture as config_fixture
import pytest

from smaug import exception
from smaug.conf import CONF
from smaug.protection import waits


class Busy(Exception):
    """The refusal of a resource another user took first."""


class FakeTime:
    """A clock that only moves when slept on, recording the pauses."""

    def __init__(self):
        self.now = 0.0
        self.pauses = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def intervals():
    config = config_fixture.Config(CONF)
    config.setUp()
    config.config(group='clients', wait_interval=1.0, max_wait_interval=4.0)
    yield
    config.cleanUp()


def _act_when(statuses, act, time, timeout=30, busy=None):
    """act_when over a resource whose status is the next of
    ``statuses`` at every poll (the last one for ever)."""
    seen = iter(statuses)
    last = [None]

    def fetch():
        last[0] = next(seen, last[0])
        return {'status': last[0]}

    return waits.act_when(
        'backup b1', fetch, lambda resource: resource['status'],
        'available', act,
        busy=busy or (lambda error: isinstance(error, Busy)),
        failed=('error', 'deleting'), timeout=timeout,
        reason_of=lambda resource: 'the disk broke',
        clock=time.clock, sleep=time.sleep)


class Answers:
    """``act``: raises or returns its answers in turn, counting calls."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def __call__(self, resource):
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_acts_at_once_on_a_ready_resource():
    time, act = FakeTime(), Answers('volume')

    assert _act_when(['available'], act, time) == 'volume'
    assert (act.calls, time.pauses) == (1, [])


def test_a_busy_resource_is_waited_out_with_back_off():
    time, act = FakeTime(), Answers('volume')

    result = _act_when(['restoring'] * 4 + ['available'], act, time)

    assert (result, act.calls) == ('volume', 1)
    assert time.pauses == [1.0, 2.0, 4.0, 4.0]


def test_a_refusal_as_busy_sends_it_back_to_waiting():
    # Another restore took the resource between the poll and the act.
    time, act = FakeTime(), Answers(Busy('taken'), 'volume')

    result = _act_when(['available', 'restoring', 'available'], act, time)

    assert (result, act.calls) == ('volume', 2)
    assert time.pauses == [1.0, 2.0]


def test_any_other_refusal_is_not_retried():
    time, act = FakeTime(), Answers(ValueError('no quota'))

    with pytest.raises(ValueError, match='no quota'):
        _act_when(['available'], act, time)
    assert (act.calls, time.pauses) == (1, [])


def test_without_a_busy_test_no_refusal_is_retried():
    time, act = FakeTime(), Answers(Busy('taken'))

    with pytest.raises(Busy):
        waits.act_when('backup b1', lambda: 'available', lambda status:
                       status, 'available', act, clock=time.clock,
                       sleep=time.sleep)
    assert act.calls == 1


@pytest.mark.parametrize('status', ['error', 'deleting'])
def test_a_failed_resource_is_never_waited_on(status):
    time, act = FakeTime(), Answers()

    with pytest.raises(exception.ResourceFailed) as failed:
        _act_when([status], act, time)

    assert str(failed.value) == (
        'backup b1 went to status %s: the disk broke' % status)
    assert (act.calls, time.pauses) == (0, [])


def test_a_resource_busy_past_the_deadline_times_out_naming_it():
    time, act = FakeTime(), Answers()

    with pytest.raises(exception.WaitTimeout) as timed_out:
        _act_when(['restoring'], act, time, timeout=10)

    assert str(timed_out.value) == (
        'backup b1 did not become available within 10 s '
        '(last status: restoring).')
    assert (act.calls, sum(time.pauses)) == (0, 10)


def test_refusals_until_the_deadline_time_out_saying_so():
    time = FakeTime()
    act = Answers(*[Busy('backup status must be available')] * 10)

    with pytest.raises(exception.WaitTimeout) as timed_out:
        _act_when(['available'], act, time, timeout=10)

    assert 'backup b1 did not become available within 10 s' in str(
        timed_out.value)
    assert 'refused as busy: backup status must be available' in str(
        timed_out.value)
    # Tried at every poll, pauses growing: 1 + 2 + 4 + 3 (the rest).
    assert (act.calls, time.pauses) == (5, [1.0, 2.0, 4.0, 3.0])


def test_wait_for_returns_the_resource_in_its_goal_status():
    time = FakeTime()
    statuses = iter(['creating', 'available'])

    found = waits.wait_for('volume v1', lambda: next(statuses),
                           lambda status: status, 'available',
                           clock=time.clock, sleep=time.sleep)

    assert (found, time.pauses) == ('available', [1.0])
