"""Turning a command line into a configured process."""
from oslo_log import log as logging

from smaug.conf import CONF
from smaug.conf import opts


def parse_args(argv, default_config_files=None):
    """Parse ``argv`` and the configuration files into CONF, then log.

    :param argv: the arguments after the program name.
    :param default_config_files: files read when no ``--config-file`` is
        given; oslo.config's search for smaug.conf when None.
    """
    logging.register_options(CONF)
    opts.set_defaults(CONF)
    CONF(argv, project='smaug', default_config_files=default_config_files)
    logging.setup(CONF, 'smaug')
