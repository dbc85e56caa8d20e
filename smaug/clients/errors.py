"""What the errors of the OpenStack clients mean for Smaug."""

#: HTTP statuses by which a service refuses the caller, not the request.
REFUSED = (401, 403)


def refused(error):
    """Whether ``error`` says the service will not let the caller act
    (a token it no longer accepts, a role taken away). Asking again as
    the same caller cannot succeed.

    Each client library names the status in its own way: keystoneauth's
    ``http_status``, the python-*clients' ``code``.
    """
    status = (getattr(error, 'http_status', None) or
              getattr(error, 'code', None))
    return status in REFUSED
