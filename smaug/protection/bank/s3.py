"""A bank in an S3 bucket (AWS S3, Ceph RGW, MinIO...), through botocore.

``[s3_bank] bucket`` holds the objects under their keys, and the leases
under ``#leases/<name>``: keys cannot hold ``#``, so a lease never shows in
a listing. The bucket is created on first use if it does not exist.

What S3 guarantees, and what this plugin builds on it:

* A PUT replaces an object whole, and reads and listings see it at once
  (AWS has been strongly consistent since 2020; other servers may lag).
* Listings are in ascending byte order only. A descending page therefore
  reads the prefix up to the marker and keeps the last ``limit`` keys: one
  request per thousand keys read.
* One PUT stores at most 5 GiB; the bank's objects are far smaller.
* Leases are objects whose body names the owner and the end. They are
  taken and changed with conditional writes: ``If-None-Match: *`` creates
  a free lease, ``If-Match: <etag>`` replaces or deletes exactly the lease
  that was read. AWS S3 (since 2024) and recent Ceph RGW and MinIO check
  these atomically; a server that ignores them makes the last writer win.
  S3 does not expire objects on time, so the end is judged with this
  agent's clock: keep lease lengths far above the agents' clock skew.
"""
import collections
import json
import threading
import time

import botocore.config
import botocore.exceptions
import botocore.session
from oslo_config import cfg

from smaug.protection.bank import base

GROUP = 's3_bank'
LEASE_PREFIX = '#leases/'
LISTING_PAGE = 1000
MAX_PUT_SIZE = 5 * 1024 ** 3
_NOT_FOUND = ('404', 'NoSuchKey', 'NotFound')
_PRECONDITION_FAILED = ('412', 'PreconditionFailed',
                        '409', 'ConditionalRequestConflict')

s3_bank_opts = [
    cfg.URIOpt('endpoint', schemes=['http', 'https'],
               help='URL of the S3 service; AWS\'s when unset.'),
    cfg.StrOpt('access_key', help='Access key id.'),
    cfg.StrOpt('secret_key', secret=True, help='Secret access key.'),
    cfg.StrOpt('bucket', default='smaug', help='Bucket of the bank.'),
    cfg.StrOpt('region', default='us-east-1', help='Region of the bucket.'),
    cfg.BoolOpt('verify', default=True,
                help='Check the TLS certificate of the endpoint.'),
    cfg.StrOpt('ca_bundle', help='CA bundle to check it with.'),
    cfg.StrOpt('addressing_style', default='auto',
               choices=['auto', 'path', 'virtual'],
               help='How requests name the bucket: in the path, or in the '
                    'host name; most servers other than AWS need path.'),
    cfg.IntOpt('retries', default=3, min=0,
               help='Retries of a failed request, with back-off.'),
    cfg.IntOpt('timeout', default=60, min=1,
               help='Seconds to wait for a response.'),
]


_session = None
_session_lock = threading.Lock()


def _create_client(**kwargs):
    """An S3 client. Clients are thread-safe, sessions are not; one session
    serves every bank, since loading its service models takes a second."""
    global _session
    with _session_lock:
        if _session is None:
            _session = botocore.session.Session()
        return _session.create_client('s3', **kwargs)


def _code(error):
    return str(error.response.get('Error', {}).get('Code', ''))


class S3BankPlugin(base.BankPlugin):
    """The ``s3`` bank."""

    def __init__(self, conf, clock=time.time):
        super().__init__(conf, clock)
        section = conf[GROUP]
        self.bucket = section.bucket
        self.region = section.region
        config = botocore.config.Config(
            s3={'addressing_style': section.addressing_style},
            retries={'max_attempts': section.retries + 1,
                     'mode': 'standard'},
            connect_timeout=section.timeout, read_timeout=section.timeout,
            max_pool_connections=32,
            # Servers other than AWS often reject the checksums that
            # botocore would otherwise add to every upload; the bank keeps
            # its own.
            request_checksum_calculation='when_required',
            response_checksum_validation='when_required')
        verify = (section.ca_bundle or True) if section.verify else False
        self._client = _create_client(
            endpoint_url=section.endpoint, region_name=section.region,
            aws_access_key_id=section.access_key,
            aws_secret_access_key=section.secret_key, verify=verify,
            config=config)
        self._ready = False
        self._ready_lock = threading.Lock()

    @classmethod
    def register_opts(cls, conf):
        conf.register_opts(s3_bank_opts, group=GROUP)

    def _request(self, operation, **kwargs):
        """``client.<operation>(Bucket=..., **kwargs)`` once the bucket
        exists; S3's own refusals are left to the caller.

        :raises BankUnavailable: when S3 cannot be reached.
        """
        if not self._ready:
            self._create_bucket()
        try:
            return getattr(self._client, operation)(Bucket=self.bucket,
                                                    **kwargs)
        except botocore.exceptions.BotoCoreError as error:
            raise base.BankUnavailable(bank=self.bucket, reason=str(error))

    def _call(self, operation, key=None, **kwargs):
        """A request whose every refusal is a failure.

        :raises BankObjectNotFound: for a missing ``key``.
        :raises BankUnavailable: for any other failure.
        """
        try:
            return self._request(operation, **kwargs)
        except botocore.exceptions.ClientError as error:
            if key is not None and _code(error) in _NOT_FOUND:
                raise base.BankObjectNotFound(key=key)
            raise base.BankUnavailable(bank=self.bucket, reason=str(error))

    def _create_bucket(self):
        with self._ready_lock:
            if self._ready:
                return
            try:
                self._client.head_bucket(Bucket=self.bucket)
            except botocore.exceptions.ClientError as error:
                if _code(error) not in _NOT_FOUND:
                    raise base.BankUnavailable(bank=self.bucket,
                                               reason=str(error))
                self._create_missing_bucket()
            except botocore.exceptions.BotoCoreError as error:
                raise base.BankUnavailable(bank=self.bucket,
                                           reason=str(error))
            self._ready = True

    def _create_missing_bucket(self):
        kwargs = {}
        if self.region != 'us-east-1':
            kwargs['CreateBucketConfiguration'] = {
                'LocationConstraint': self.region}
        try:
            self._client.create_bucket(Bucket=self.bucket, **kwargs)
        except botocore.exceptions.ClientError as error:
            if _code(error) not in ('BucketAlreadyOwnedByYou',):
                raise base.BankUnavailable(bank=self.bucket,
                                           reason=str(error))

    # Objects

    def put_object(self, key, data, metadata=None):
        base.validate_key(key)
        metadata = base.validate_metadata(metadata)
        data = bytes(data)
        if len(data) > MAX_PUT_SIZE:
            raise base.BankError(
                reason='%s: the S3 bank stores objects of up to %d bytes, '
                       'not %d' % (key, MAX_PUT_SIZE, len(data)))
        self._call('put_object', Key=key, Body=data, Metadata=metadata,
                   ContentType='application/octet-stream')

    def get_object_with_metadata(self, key):
        base.validate_key(key)
        response = self._call('get_object', key=key, Key=key)
        with response['Body'] as body:
            data = body.read()
        return data, dict(response.get('Metadata', {}))

    def head_object(self, key):
        base.validate_key(key)
        response = self._call('head_object', key=key, Key=key)
        return base.ObjectInfo(response['ContentLength'],
                               dict(response.get('Metadata', {})))

    def delete_object(self, key):
        base.validate_key(key)
        try:
            self._call('delete_object', key=key, Key=key)
        except base.BankObjectNotFound:
            pass

    def _ascending(self, prefix, start_after):
        """Every key after ``start_after`` starting with ``prefix``."""
        kwargs = {'Prefix': prefix, 'MaxKeys': LISTING_PAGE}
        if start_after:
            kwargs['StartAfter'] = start_after
        while True:
            response = self._call('list_objects_v2', **kwargs)
            for entry in response.get('Contents', ()):
                if not entry['Key'].startswith(LEASE_PREFIX):
                    yield entry['Key']
            if not response.get('IsTruncated'):
                return
            kwargs.pop('StartAfter', None)
            kwargs['ContinuationToken'] = response['NextContinuationToken']

    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        base.validate_listing(prefix, marker, limit, sort_dir)
        if limit == 0:
            return []
        if sort_dir == 'asc':
            keys = []
            for key in self._ascending(prefix, marker):
                keys.append(key)
                if limit is not None and len(keys) >= limit:
                    break
            return keys
        last = collections.deque(maxlen=limit)
        for key in self._ascending(prefix, None):
            if marker is not None and key >= marker:
                break
            last.append(key)
        return list(reversed(last))

    # Leases

    def _read_lease(self, name):
        """:returns: (Lease, etag), or (None, None) for a missing lease."""
        key = LEASE_PREFIX + name
        try:
            response = self._call('get_object', key=key, Key=key)
        except base.BankObjectNotFound:
            return None, None
        with response['Body'] as body:
            data = body.read()
        try:
            record = json.loads(data)
            lease = base.Lease(record['owner'], float(record['expires_at']))
        except (ValueError, KeyError, TypeError) as error:
            raise base.BankCorruption(key='lease ' + name, reason=str(error))
        return lease, response['ETag']

    def _conditional(self, operation, name, **kwargs):
        """A conditional write of a lease; :returns: False if its condition
        did not hold."""
        try:
            self._request(operation, Key=LEASE_PREFIX + name, **kwargs)
        except botocore.exceptions.ClientError as error:
            if _code(error) in _PRECONDITION_FAILED:
                return False
            raise base.BankUnavailable(bank=self.bucket, reason=str(error))
        return True

    def _write_lease(self, name, owner, ttl_seconds, **condition):
        body = json.dumps({'owner': owner,
                           'expires_at': self.clock() + ttl_seconds})
        return self._conditional('put_object', name, Body=body.encode(),
                                 ContentType='application/json', **condition)

    @staticmethod
    def _check(name, owner, ttl_seconds=None):
        base.validate_key(name, what='lease name')
        base.validate_owner(owner)
        if ttl_seconds is not None:
            base.validate_ttl(ttl_seconds)

    def acquire_lease(self, name, owner, ttl_seconds):
        self._check(name, owner, ttl_seconds)
        # A failed condition means another agent changed the lease between
        # our read and our write: read it again and decide again.
        for _attempt in range(5):
            current, etag = self._read_lease(name)
            if current is None:
                if self._write_lease(name, owner, ttl_seconds,
                                     IfNoneMatch='*'):
                    return True
                continue
            if current.owner != owner and current.expires_at > self.clock():
                return False
            if self._write_lease(name, owner, ttl_seconds, IfMatch=etag):
                return True
        return False

    def renew_lease(self, name, owner, ttl_seconds):
        self._check(name, owner, ttl_seconds)
        current, etag = self._read_lease(name)
        if (current is None or current.owner != owner or
                current.expires_at <= self.clock()):
            return False
        if self._write_lease(name, owner, ttl_seconds, IfMatch=etag):
            return True
        # Our own renewal, retried after its answer was lost, fails its
        # condition too: the lease then names us.
        current, _ = self._read_lease(name)
        return current is not None and current.owner == owner

    def release_lease(self, name, owner):
        self._check(name, owner)
        current, etag = self._read_lease(name)
        if current is None or current.owner != owner:
            return False
        return self._conditional('delete_object', name, IfMatch=etag)

    def get_lease(self, name):
        base.validate_key(name, what='lease name')
        current, _ = self._read_lease(name)
        if current is None or current.expires_at <= self.clock():
            return None
        return current
