"""Load an OpenStack WSGI application under gunicorn.

Keystone, nova-api and placement parse ``sys.argv`` with oslo.config when
their WSGI module is imported. Under gunicorn that argv holds gunicorn's own
flags, argparse rejects them and the worker exits with code 2 without a
traceback. The factory below hides gunicorn's flags before the import, e.g.::

    gunicorn 'wsgi_entry:load("keystone.wsgi.api")'
"""
import importlib
import sys


def load(module_name, attribute='application'):
    """Import ``module_name`` with a bare argv and return its WSGI app.

    :param module_name: dotted name of the module holding the application.
    :param attribute: name of the application object in that module.
    :returns: the WSGI callable.
    """
    sys.argv = sys.argv[:1]
    return getattr(importlib.import_module(module_name), attribute)
