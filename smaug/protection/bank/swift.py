"""A bank in Swift containers.

``[swift_bank] container`` holds the objects under their keys;
``<container>_leases`` holds one object per lease and
``<container>_segments`` the segments of large objects. All three are
created on first use.

What Swift guarantees, and what this plugin builds on it:

* A PUT replaces an object whole: a reader gets the old or the new one.
  Container listings are updated asynchronously, so an object may be
  missing from a listing for a moment after it was written.
* Listings are in byte order; ``reverse=on`` lists backwards, with
  ``marker`` bounding from above, so a descending page is one request like
  an ascending one (servers too old to know ``reverse`` are not
  supported: they would list ascending).
* Objects larger than ``segment_size`` are stored as a static large object
  (SLO): segments, then a manifest at the key. Deleting one uses
  ``multipart-manifest=delete``, which removes the segments with it (a
  HEAD tells large objects from others: Swift refuses that query for a
  plain object).
  Replacing a large object by a small one leaves the old segments behind;
  the bank's writers never replace large objects.
* Leases: a lease is an object whose body names its owner and end, and
  whose ``X-Delete-At`` makes Swift hide it once it has ended; a lease that
  Swift no longer returns is free. A free lease is taken with
  ``If-None-Match: *``, a create-if-absent that each object server checks
  against its own replica. That check is not a lock across the upload: two
  agents creating the same lease within the same few milliseconds (or
  during a partition that hides a replica) may both be told 201. The newest
  write then wins on every replica; each creator reads the lease back
  before it believes it holds it, and the loser finds out there or at its
  next renewal. Swift ignores ``If-Match`` on PUT and DELETE, so renewing
  and releasing read the lease and then write it: they refuse to act in
  the last ``LEASE_SAFETY_MARGIN`` seconds of a lease, which keeps that gap
  from meeting another agent's takeover. Renew well before the end.
"""
import contextlib
import json
import math
import threading
import time
import uuid

from keystoneauth1 import exceptions as ksa_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from oslo_config import cfg
import requests
from swiftclient import client as swift_client
from swiftclient import exceptions as swift_exceptions

from smaug.protection.bank import base

GROUP = 'swift_bank'
LISTING_PAGE = 1000
LEASE_SAFETY_MARGIN = 2.0

swift_bank_opts = [
    cfg.StrOpt('auth_url', help='Keystone URL of the bank\'s account.'),
    cfg.StrOpt('username', help='User owning the bank\'s account.'),
    cfg.StrOpt('password', secret=True, help='Password of that user.'),
    cfg.StrOpt('project_name', help='Project whose account holds the bank.'),
    cfg.StrOpt('user_domain_name', default='Default',
               help='Domain of the user.'),
    cfg.StrOpt('project_domain_name', default='Default',
               help='Domain of the project.'),
    cfg.StrOpt('region_name', help='Region of the object-store endpoint.'),
    cfg.StrOpt('interface', default='public',
               help='Interface of the object-store endpoint.'),
    cfg.StrOpt('container', default='smaug',
               help='Container of the bank\'s objects; <container>_leases '
                    'and <container>_segments are used too.'),
    cfg.BoolOpt('insecure', default=False,
                help='Skip TLS certificate checks (tests only).'),
    cfg.StrOpt('cacert', help='CA bundle for the TLS certificates.'),
    cfg.IntOpt('segment_size', default=1024 ** 3, min=1,
               help='Objects larger than this many bytes are stored as '
                    'segments of this size under a static large object.'),
    cfg.IntOpt('retries', default=3, min=0,
               help='Retries of a failed request, with back-off.'),
    cfg.IntOpt('timeout', default=60, min=1,
               help='Seconds to wait for a response.'),
]


def _status(error):
    return getattr(error, 'http_status', None)


class SwiftBankPlugin(base.BankPlugin):
    """The ``swift`` bank.

    :param session: a keystoneauth1 session to use instead of the
        credentials of ``[swift_bank]``.
    """

    def __init__(self, conf, clock=time.time, session=None):
        super().__init__(conf, clock)
        section = conf[GROUP]
        self.container = section.container
        self.lease_container = section.container + '_leases'
        self.segment_container = section.container + '_segments'
        self.segment_size = section.segment_size
        self._section = section
        self._session = session or self._make_session(section)
        self._local = threading.local()
        self._ready = False
        self._ready_lock = threading.Lock()

    @classmethod
    def register_opts(cls, conf):
        conf.register_opts(swift_bank_opts, group=GROUP)

    @staticmethod
    def _make_session(section):
        missing = [name for name in ('auth_url', 'username', 'password',
                                     'project_name')
                   if not section[name]]
        if missing:
            raise base.BankConfigError(
                bank=GROUP, reason='%s not set' % ', '.join(missing))
        auth = v3.Password(auth_url=section.auth_url,
                           username=section.username,
                           password=section.password,
                           project_name=section.project_name,
                           user_domain_name=section.user_domain_name,
                           project_domain_name=section.project_domain_name)
        verify = False if section.insecure else (section.cacert or True)
        return ks_session.Session(auth=auth, verify=verify,
                                  timeout=section.timeout)

    # Connections

    def _connection(self):
        """This thread's connection: a swiftclient Connection holds one
        HTTP connection and is not shared between threads."""
        connection = getattr(self._local, 'connection', None)
        if connection is None:
            section = self._section
            connection = swift_client.Connection(
                session=self._session, retries=section.retries,
                insecure=section.insecure, cacert=section.cacert,
                timeout=section.timeout,
                os_options={'region_name': section.region_name,
                            'endpoint_type': section.interface})
            self._local.connection = connection
        if not self._ready:
            with self._ready_lock:
                if not self._ready:
                    with self._errors():
                        for container in (self.container,
                                          self.lease_container,
                                          self.segment_container):
                            connection.put_container(container)
                    self._ready = True
        return connection

    @contextlib.contextmanager
    def _errors(self, key=None):
        """Report Swift's failures as the bank's; 404 as not found."""
        try:
            yield
        except swift_exceptions.ClientException as error:
            if _status(error) == 404 and key is not None:
                raise base.BankObjectNotFound(key=key)
            raise base.BankUnavailable(bank=self.container,
                                       reason=str(error))
        except (ksa_exceptions.ClientException,
                requests.exceptions.RequestException) as error:
            raise base.BankUnavailable(bank=self.container,
                                       reason=str(error))

    # Objects

    def put_object(self, key, data, metadata=None):
        base.validate_key(key)
        metadata = base.validate_metadata(metadata)
        data = bytes(data)
        headers = {'X-Object-Meta-' + name: value
                   for name, value in metadata.items()}
        connection = self._connection()
        if len(data) > self.segment_size:
            self._put_large_object(connection, key, data, headers)
            return
        with self._errors():
            connection.put_object(self.container, key, data,
                                  content_length=len(data),
                                  content_type='application/octet-stream',
                                  headers=headers)

    def _put_large_object(self, connection, key, data, headers):
        """Segments, then their manifest at ``key``; the segments of the
        large object it replaces are deleted afterwards."""
        old_segments = self._segments_of(connection, key)
        upload = '%.6f-%s' % (self.clock(), uuid.uuid4().hex[:8])
        manifest = []
        try:
            with self._errors():
                for index, start in enumerate(
                        range(0, len(data), self.segment_size)):
                    name = '%s/%s/%08d' % (key, upload, index)
                    segment = data[start:start + self.segment_size]
                    etag = connection.put_object(
                        self.segment_container, name, segment,
                        content_length=len(segment),
                        content_type='application/octet-stream')
                    manifest.append({
                        'path': '/%s/%s' % (self.segment_container, name),
                        'etag': etag, 'size_bytes': len(segment)})
                connection.put_object(
                    self.container, key, json.dumps(manifest),
                    content_type='application/octet-stream',
                    headers=headers, query_string='multipart-manifest=put')
        except BaseException:
            self._delete_segments(connection, [
                entry['path'] for entry in manifest])
            raise
        self._delete_segments(connection, old_segments)

    def _segments_of(self, connection, key):
        """Paths of the segments of the large object at ``key``, if any."""
        try:
            headers, body = connection.get_object(
                self.container, key, query_string='multipart-manifest=get')
        except swift_exceptions.ClientException as error:
            if _status(error) == 404:
                return []
            raise base.BankUnavailable(bank=self.container,
                                       reason=str(error))
        if headers.get('x-static-large-object', '').lower() != 'true':
            return []
        return [entry['name'] for entry in json.loads(body)]

    def _delete_segments(self, connection, paths):
        for path in paths:
            container, _, name = path.lstrip('/').partition('/')
            with contextlib.suppress(swift_exceptions.ClientException):
                connection.delete_object(container, name)

    @staticmethod
    def _metadata(headers):
        prefix = 'x-object-meta-'
        return {name[len(prefix):]: value for name, value in headers.items()
                if name.startswith(prefix)}

    def get_object_with_metadata(self, key):
        base.validate_key(key)
        connection = self._connection()
        with self._errors(key):
            headers, body = connection.get_object(self.container, key)
        return body, self._metadata(headers)

    def head_object(self, key):
        base.validate_key(key)
        connection = self._connection()
        with self._errors(key):
            headers = connection.head_object(self.container, key)
        return base.ObjectInfo(int(headers['content-length']),
                               self._metadata(headers))

    def delete_object(self, key):
        base.validate_key(key)
        connection = self._connection()
        try:
            with self._errors(key):
                headers = connection.head_object(self.container, key)
                # A plain DELETE would leave a large object's segments, and
                # Swift refuses to delete a plain object the way it deletes
                # a large one.
                large = headers.get('x-static-large-object', '').lower()
                connection.delete_object(
                    self.container, key,
                    query_string=('multipart-manifest=delete'
                                  if large == 'true' else None))
        except base.BankObjectNotFound:
            pass

    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        base.validate_listing(prefix, marker, limit, sort_dir)
        connection = self._connection()
        query = 'reverse=on' if sort_dir == 'desc' else None
        keys = []
        while limit is None or len(keys) < limit:
            wanted = LISTING_PAGE if limit is None else min(
                LISTING_PAGE, limit - len(keys))
            with self._errors():
                _, page = connection.get_container(
                    self.container, prefix=prefix or None,
                    marker=marker or None, limit=wanted,
                    query_string=query)
            keys.extend(entry['name'] for entry in page)
            if len(page) < wanted:
                break
            marker = page[-1]['name']
        return keys

    # Leases

    def _read_lease(self, connection, name):
        try:
            with self._errors(name):
                _, body = connection.get_object(self.lease_container, name)
        except base.BankObjectNotFound:
            return None
        try:
            record = json.loads(body)
            return base.Lease(record['owner'], float(record['expires_at']))
        except (ValueError, KeyError, TypeError) as error:
            raise base.BankCorruption(key='lease ' + name, reason=str(error))

    def _write_lease(self, connection, name, owner, ttl_seconds,
                     create=False):
        """:returns: False if ``create`` and the lease exists."""
        expires_at = self.clock() + ttl_seconds
        headers = {'X-Delete-At': str(math.ceil(expires_at))}
        if create:
            headers['If-None-Match'] = '*'
        body = json.dumps({'owner': owner, 'expires_at': expires_at})
        with self._errors():
            try:
                connection.put_object(self.lease_container, name, body,
                                      content_type='application/json',
                                      headers=headers)
            except swift_exceptions.ClientException as error:
                if not (create and _status(error) == 412):
                    raise
                return False
        return True

    def _held_by(self, connection, name, owner):
        current = self._read_lease(connection, name)
        return current is not None and current.owner == owner

    @staticmethod
    def _check(name, owner, ttl_seconds=None):
        base.validate_key(name, what='lease name')
        base.validate_owner(owner)
        if ttl_seconds is not None:
            base.validate_ttl(ttl_seconds)

    def acquire_lease(self, name, owner, ttl_seconds):
        self._check(name, owner, ttl_seconds)
        connection = self._connection()
        current = self._read_lease(connection, name)
        if current is None:
            # A 412 answered to a retry may hide our own earlier create:
            # the read-back tells.
            self._write_lease(connection, name, owner, ttl_seconds,
                              create=True)
        elif (current.owner == owner and
              current.expires_at - self.clock() > LEASE_SAFETY_MARGIN):
            self._write_lease(connection, name, owner, ttl_seconds)
        else:
            return False
        return self._held_by(connection, name, owner)

    def renew_lease(self, name, owner, ttl_seconds):
        self._check(name, owner, ttl_seconds)
        connection = self._connection()
        current = self._read_lease(connection, name)
        if (current is None or current.owner != owner or
                current.expires_at - self.clock() <= LEASE_SAFETY_MARGIN):
            return False
        self._write_lease(connection, name, owner, ttl_seconds)
        return self._held_by(connection, name, owner)

    def release_lease(self, name, owner):
        self._check(name, owner)
        connection = self._connection()
        current = self._read_lease(connection, name)
        if current is None or current.owner != owner:
            return False
        if current.expires_at - self.clock() > LEASE_SAFETY_MARGIN:
            with contextlib.suppress(base.BankObjectNotFound):
                with self._errors(name):
                    connection.delete_object(self.lease_container, name)
        # Otherwise Swift hides it within the margin: deleting now could
        # delete the lease of an agent that took it over meanwhile.
        return True

    def get_lease(self, name):
        base.validate_key(name, what='lease name')
        current = self._read_lease(self._connection(), name)
        if current is None or current.expires_at <= self.clock():
            return None
        return current
