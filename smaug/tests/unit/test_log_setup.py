"""An in-process oslo.log setup does not outlive the test that ran it."""
import logging as std_logging
import sys

from oslo_config import cfg
from oslo_log import log as logging

from smaug.tests.fixtures import log_setup


def _state():
    root = std_logging.getLogger()
    return (list(root.handlers), root.level,
            std_logging.getLogger('sqlalchemy').level, sys.excepthook)


def test_the_logging_of_the_process_is_restored_once_the_test_ends(capsys):
    before = _state()

    with log_setup.LogSetup():
        conf = cfg.ConfigOpts()
        logging.register_options(conf)
        conf([], default_config_files=[], default_config_dirs=[])
        logging.setup(conf, 'smaug')
        assert _state() != before
    std_logging.getLogger('smaug').warning('after the command')

    assert _state() == before
    assert 'after the command' not in capsys.readouterr().out
