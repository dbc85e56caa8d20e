"""Load the API's WSGI application from the paste deployment file."""
import os

from oslo_config import cfg
from paste import deploy
import webob.dec

from smaug.api import faults

CONF = cfg.CONF


def paste_config_path():
    path = CONF.api.api_paste_config
    if not os.path.isabs(path) and CONF.config_file:
        path = os.path.join(os.path.dirname(CONF.config_file[0]), path)
    if not os.path.exists(path):
        path = os.path.join(os.path.dirname(__file__), 'api-paste.ini')
    return os.path.abspath(path)


def load_app(name='smaug'):
    """The whole API as a WSGI callable, as the paste file composes it."""
    return deploy.loadapp('config:' + paste_config_path(), name=name)


def root_app_factory(loader, global_conf, **local_conf):
    """A paste composite mapping URL path prefixes to applications."""
    apps = sorted(((path.rstrip('/'), loader.get_app(app_name))
                   for path, app_name in local_conf.items()),
                  key=lambda item: len(item[0]), reverse=True)
    return PathDispatcher(apps)


def pipeline_factory(loader, global_conf, **local_conf):
    """A paste composite choosing the pipeline of CONF.api.auth_strategy."""
    pipeline = local_conf[CONF.api.auth_strategy].split()
    app = loader.get_app(pipeline[-1])
    for filter_name in reversed(pipeline[:-1]):
        app = loader.get_filter(filter_name)(app)
    return app


class PathDispatcher:
    """Send a request to the app with the longest matching path prefix."""

    def __init__(self, apps):
        self.apps = apps

    @webob.dec.wsgify
    def __call__(self, request):
        path = request.path_info
        for prefix, app in self.apps:
            if prefix == '' or path == prefix or \
                    path.startswith(prefix + '/'):
                request.script_name += prefix
                request.path_info = path[len(prefix):]
                return app
        return faults.error_response(404, 'No resource at %s.' % path)
