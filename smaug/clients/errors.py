"""What the errors of the OpenStack clients mean for Smaug."""

#: HTTP statuses by which a service refuses the caller, not the request.
REFUSED = (401, 403)


def http_status(error):
    """The HTTP status an OpenStack client's ``error`` carries, or None.

    Each client library names it in its own way: keystoneauth's
    ``http_status``, the python-*clients' ``code``.
    """
    return getattr(error, 'http_status', None) or getattr(error, 'code',
                                                          None)


def refused(error):
    """Whether ``error`` says the service will not let the caller act
    (a token it no longer accepts, a role taken away). Asking again as
    the same caller cannot succeed.
    """
    return http_status(error) in REFUSED


def not_found(error):
    """Whether ``error`` means the object does not exist (each client
    raises its own NotFound, all with status 404)."""
    return http_status(error) == 404
