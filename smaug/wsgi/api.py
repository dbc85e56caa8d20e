"""The REST API as a WSGI application, for uwsgi, gunicorn or mod_wsgi."""
import os

from smaug import config
from smaug import rpc
from smaug.api import app
from smaug.conf import CONF

CONFIG_FILE_ENV = 'SMAUG_CONFIG_FILE'


def initialize_application():
    """Configure the process once and return the API application.

    The configuration file is named by the SMAUG_CONFIG_FILE environment
    variable, else found where oslo.config looks for smaug.conf. The
    process's command line belongs to the WSGI server and is not parsed.
    """
    config_file = os.environ.get(CONFIG_FILE_ENV)
    config.parse_args([], default_config_files=[config_file]
                      if config_file else None)
    rpc.init(CONF)
    return app.load_app()
