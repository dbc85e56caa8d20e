"""OpenStack clients for plugins, acting as the user who asked.

:mod:`smaug.clients.auth` turns a RequestContext (or explicit
credentials) into a keystoneauth session carrying Smaug's service token;
:mod:`smaug.clients.factory` builds the python-*client objects on it.
"""
