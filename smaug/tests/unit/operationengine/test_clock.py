"""The clocks the scheduler can follow."""
import datetime

from oslo_config import cfg
import pytest

from smaug.conf import operationengine as operationengine_conf
from smaug.operationengine import clock

UTC = datetime.timezone.utc


def conf_with(value):
    conf = cfg.ConfigOpts()
    operationengine_conf.register_opts(conf)
    conf([], default_config_files=[], default_config_dirs=[])
    conf.set_override('clock', value, group='operationengine')
    return conf


def close_to(moment, expected, seconds=5):
    return abs((moment - expected).total_seconds()) < seconds


def test_the_system_clock_is_aware_utc():
    now = clock.from_conf(conf_with('system'))()
    assert now.tzinfo is not None
    assert close_to(now, datetime.datetime.now(UTC))


def test_an_offset_file_shifts_the_clock_when_it_changes(tmp_path):
    path = tmp_path / 'offset'
    shifted = clock.from_conf(conf_with('offset-file:%s' % path))
    # No file yet: no shift.
    assert close_to(shifted(), datetime.datetime.now(UTC))

    clock.write_offset(str(path), 86400)
    assert close_to(shifted(), datetime.datetime.now(UTC) +
                    datetime.timedelta(days=1))

    clock.write_offset(str(path), -3600.5)
    assert close_to(shifted(), datetime.datetime.now(UTC) -
                    datetime.timedelta(hours=1))
    assert [entry.name for entry in tmp_path.iterdir()] == ['offset']


@pytest.mark.parametrize('value', ['ntp', 'offset-file:', 'file:/tmp/x'])
def test_an_unknown_clock_is_refused(value):
    with pytest.raises(ValueError, match='must be "system" or'):
        clock.from_conf(conf_with(value))
