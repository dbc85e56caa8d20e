"""Where a checkpoint lives in a bank, so that the bank alone describes it.

The database is a cache of the bank: a new deployment pointed at a bank
lists and restores its checkpoints from these objects alone::

    checkpoints/<id>/index.json                  the checkpoint: see
                                                 write_checkpoint
    checkpoints/<id>/resources/<resource>/...    what protection plugins
                                                 keep per resource
                                                 (metadata.json,
                                                 status.json, data/...)
    indices/by-project/<project id>/<created_at>@<id>
    indices/by-plan/<plan id>/<created_at>@<id>

``created_at`` is written in UTC to the microsecond with a fixed width, so
index keys sort by creation time: a page of a project's or a plan's
checkpoints, newest first, is one listing of the bank, and the keys alone
give the ids and times. Each index object also holds the checkpoint's
ids ({id, project_id, plan_id, provider_id, created_at}).

A deleted checkpoint keeps its ``index.json`` as a tombstone with status
``deleted``; its data and index entries are gone.

The agent writing a checkpoint holds the lease ``checkpoints/<id>``.
"""
import contextlib
import datetime
import hashlib
import re
import time

from smaug import exception
from smaug import states
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import base

LAYOUT_VERSION = 1
TIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%fZ'
BY_PROJECT = 'indices/by-project/'
BY_PLAN = 'indices/by-plan/'
LISTING_PAGE = 1000

_ID = re.compile(r'[A-Za-z0-9_.\-:]+\Z')


def format_time(value):
    """``value`` (a datetime, naive meaning UTC, or an ISO 8601 string) as
    the fixed-width UTC text the layout sorts by."""
    if isinstance(value, str):
        value = parse_time(value)
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.strftime(TIME_FORMAT)


def parse_time(text):
    """:returns: a naive UTC datetime, as the database keeps them."""
    try:
        value = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    except (AttributeError, ValueError):
        raise exception.InvalidInput(reason='%r is not an ISO 8601 time'
                                            % (text,))
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _id(value, what):
    """An id that is one key segment without '@' (index keys split on it)."""
    if not isinstance(value, str) or not _ID.match(value) or value in (
            '.', '..') or len(value) > base.MAX_SEGMENT_LENGTH:
        raise base.InvalidBankKey(
            key=value, reason='a %s is letters, digits and _ . - : only'
                              % what)
    return value


def index_key(checkpoint_id):
    return 'checkpoints/%s/index.json' % _id(checkpoint_id, 'checkpoint id')


def lease_name(checkpoint_id):
    return 'checkpoints/%s' % _id(checkpoint_id, 'checkpoint id')


def _index_keys(document):
    tail = '%s@%s' % (document['created_at'], document['id'])
    return [BY_PROJECT + _id(document['project_id'], 'project id') + '/'
            + tail,
            BY_PLAN + _id(document['protection_plan']['id'], 'plan id') + '/'
            + tail]


def _summary(document):
    return {'id': document['id'], 'project_id': document['project_id'],
            'plan_id': document['protection_plan']['id'],
            'provider_id': document['provider_id'],
            'created_at': document['created_at']}


def _document(record):
    """The ``index.json`` of a checkpoint record (a dict)."""
    missing = [name for name in ('id', 'status', 'provider_id', 'project_id')
               if not record.get(name)]
    plan = record.get('protection_plan')
    if not isinstance(plan, dict) or not plan.get('id'):
        missing.append('protection_plan.id')
    if missing:
        raise exception.InvalidInput(
            reason='a checkpoint record needs %s' % ', '.join(missing))
    if record['status'] not in states.CheckpointStatus.ALL:
        raise exception.InvalidInput(
            reason='%r is not a checkpoint status' % (record['status'],))
    _id(record['id'], 'checkpoint id')
    document = {
        'version': LAYOUT_VERSION,
        'id': record['id'],
        'status': record['status'],
        # The user who asked for the checkpoint.
        'owner_id': record.get('owner_id', record.get('user_id')),
        'provider_id': record['provider_id'],
        'project_id': record['project_id'],
        'protection_plan': {
            'id': plan['id'],
            'name': plan.get('name'),
            'provider_id': plan.get('provider_id', record['provider_id']),
            'resources': list(plan.get('resources') or []),
        },
        'extra_info': dict(record.get('extra_info') or {}),
        'created_at': format_time(record.get('created_at') or _utcnow()),
        'resource_graph': record.get('resource_graph'),
    }
    if plan.get('required_capabilities'):
        # The plugins the plan demanded restore what they protected.
        document['protection_plan']['required_capabilities'] = sorted(
            plan['required_capabilities'])
    return document


def write_checkpoint(bank, record):
    """Write a checkpoint's ``index.json`` and its index entries.

    :param record: a dict with ``id``, ``status``, ``provider_id``,
        ``project_id``, ``protection_plan`` ({id, name, provider_id,
        resources}), and optionally ``owner_id`` (or ``user_id``),
        ``extra_info``, ``created_at`` (now when missing) and
        ``resource_graph``.
    :returns: the document written.
    :raises smaug.exception.InvalidInput: for an incomplete record.
    """
    document = _document(record)
    index_keys = _index_keys(document)
    # index.json first: an index entry never names a missing checkpoint.
    bank.put_json(index_key(document['id']), document)
    for key in index_keys:
        bank.put_json(key, _summary(document))
    return document


def read_checkpoint(bank, checkpoint_id):
    """The ``index.json`` of a checkpoint (a tombstone once deleted).

    :raises smaug.exception.CheckpointNotFound:
    :raises BankCorruption: when it does not match its checksum.
    :raises BankError: when a newer Smaug wrote it.
    """
    try:
        document = bank.get_json(index_key(checkpoint_id))
    except base.BankObjectNotFound:
        raise exception.CheckpointNotFound(id=checkpoint_id)
    if not isinstance(document, dict):
        raise base.BankCorruption(key=index_key(checkpoint_id),
                                  reason='it is not a JSON object')
    if document.get('version', 0) > LAYOUT_VERSION:
        raise base.BankError(
            reason='checkpoint %s has layout version %s; this Smaug reads '
                   'up to %d' % (checkpoint_id, document.get('version'),
                                 LAYOUT_VERSION))
    return document


def update_status(bank, checkpoint_id, status):
    """Set the status in ``index.json``; :returns: the new document.

    The caller holds the checkpoint's lease: this reads, then writes.

    :raises smaug.exception.CheckpointNotFound:
    """
    if status not in states.CheckpointStatus.ALL:
        raise exception.InvalidInput(
            reason='%r is not a checkpoint status' % (status,))
    document = read_checkpoint(bank, checkpoint_id)
    document['status'] = status
    document['updated_at'] = format_time(_utcnow())
    bank.put_json(index_key(checkpoint_id), document)
    return document


def _entry(key, prefix, project_id=None, plan_id=None):
    created_at, _, checkpoint_id = key[len(prefix):].partition('@')
    return {'id': checkpoint_id, 'created_at': created_at,
            'project_id': project_id, 'plan_id': plan_id}


def list_checkpoints(bank, project_id=None, plan_id=None, marker=None,
                     limit=None, sort_dir='desc'):
    """A page of checkpoints, ordered by creation time, from the indices.

    With ``plan_id`` (and ``project_id``) it is one listing of the plan's
    index; with ``project_id`` one of the project's. With neither it reads
    every project's index: that is for administrators and the importer.
    Deleted checkpoints are not listed.

    :param marker: id of the last checkpoint of the previous page.
    :param sort_dir: 'desc' for newest first, or 'asc'.
    :returns: [{id, created_at, project_id, plan_id}], with None for what
        the index read does not tell.
    :raises smaug.exception.InvalidMarker: for a marker the bank lacks.
    """
    base.validate_listing('', None, limit, sort_dir)
    marker_tail = None
    if marker is not None:
        try:
            marked = read_checkpoint(bank, marker)
        except exception.CheckpointNotFound:
            raise exception.InvalidMarker(marker=marker)
        marker_tail = '%s@%s' % (marked['created_at'], marker)
    if plan_id is not None:
        prefix = BY_PLAN + _id(plan_id, 'plan id') + '/'
    elif project_id is not None:
        prefix = BY_PROJECT + _id(project_id, 'project id') + '/'
    else:
        return _list_every_project(bank, marker_tail, limit, sort_dir)
    keys = bank.list_objects(
        prefix, None if marker_tail is None else prefix + marker_tail,
        limit, sort_dir)
    entries = [_entry(key, prefix, project_id, plan_id) for key in keys]
    if plan_id is not None and project_id is not None and keys:
        # A plan belongs to one project: one read tells whose it is.
        if bank.get_json(keys[0]).get('project_id') != project_id:
            return []
    return entries


def _list_every_project(bank, marker_tail, limit, sort_dir):
    entries = []
    for key in _every_key(bank, BY_PROJECT):
        project_id, _, tail = key[len(BY_PROJECT):].partition('/')
        entry = _entry(tail, '', project_id)
        if marker_tail is not None:
            position = '%s@%s' % (entry['created_at'], entry['id'])
            if not base.after_marker(position, marker_tail, sort_dir):
                continue
        entries.append(entry)
    entries.sort(key=lambda entry: (entry['created_at'], entry['id']),
                 reverse=sort_dir == 'desc')
    return entries if limit is None else entries[:limit]


def _every_key(bank, prefix):
    marker = None
    while True:
        keys = bank.list_objects(prefix, marker, LISTING_PAGE)
        yield from keys
        if len(keys) < LISTING_PAGE:
            return
        marker = keys[-1]


def delete_checkpoint(bank, checkpoint_id):
    """Delete a checkpoint's data and index entries, leaving a tombstone.

    It may be run again after a failure, and on a deleted checkpoint.

    :returns: the tombstone.
    :raises smaug.exception.CheckpointNotFound:
    """
    document = read_checkpoint(bank, checkpoint_id)
    if document['status'] == states.CheckpointStatus.DELETED:
        return document
    index = index_key(checkpoint_id)
    # Data first: until the tombstone is written the checkpoint is still
    # listed, so a delete that failed half-way is seen and run again.
    for key in list(_every_key(bank, 'checkpoints/%s/' % checkpoint_id)):
        if key != index:
            bank.delete_object(key)
    for key in _index_keys(document):
        bank.delete_object(key)
    document['status'] = states.CheckpointStatus.DELETED
    document['deleted_at'] = format_time(_utcnow())
    bank.put_json(index, document)
    return document


def copy_checkpoint(source_bank, source_id, bank, record, excluded=()):
    """Write ``record``, a copy of checkpoint ``source_id`` of
    ``source_bank``, into ``bank``, so that ``bank`` alone describes it:
    its ``index.json`` and index entries from ``record``, and every object
    the plugins saved for the source's resources, but those ``excluded``.

    An object is copied as it is. That is wrong for a chunk store
    manifest: its chunks live elsewhere in the bank, and it is only kept
    by a reference of its own. Such objects are named in ``excluded``
    and left to their plugins, which copy them with the chunk store.

    It may be run again after a failure: what it wrote before is replaced.

    :param record: as :func:`write_checkpoint` takes it.
    :param excluded: keys of the source's objects not to copy.
    :returns: the document written.
    :raises smaug.exception.CheckpointNotFound: when the source is not in
        its bank.
    :raises smaug.exception.InvalidState: when the source is not
        available there.
    """
    source = read_checkpoint(source_bank, source_id)
    if source['status'] != states.CheckpointStatus.AVAILABLE:
        raise exception.InvalidState(
            object='Checkpoint', id=source_id, state=source['status'],
            allowed=states.CheckpointStatus.AVAILABLE)
    document = write_checkpoint(bank, record)
    source_prefix = resources_prefix(source_id)
    target_prefix = resources_prefix(document['id'])
    for key in list(_every_key(source_bank, source_prefix)):
        if key in excluded:
            continue
        data, metadata = source_bank.get_object_with_metadata(key)
        bank.put_object(target_prefix + key[len(source_prefix):], data, {
            name: value for name, value in metadata.items()
            if not name.startswith(bank_module.RESERVED_METADATA_PREFIX)})
    return document


def resources_prefix(checkpoint_id):
    """The prefix of the keys of every resource section of a
    checkpoint."""
    return 'checkpoints/%s/resources/' % _id(checkpoint_id, 'checkpoint id')


def resource_segment(resource_key):
    """The key segment of a resource: ``<type>@<id>`` when both are key
    characters, else ``@sha256-<hash of the Type#id key>``."""
    resource_type, sep, resource_id = resource_key.partition('#')
    segment = '%s@%s' % (resource_type, resource_id)
    if (sep and _ID.match(resource_type) and _ID.match(resource_id) and
            len(segment) <= base.MAX_SEGMENT_LENGTH):
        return segment
    return '@sha256-' + hashlib.sha256(resource_key.encode()).hexdigest()


def resource_section(bank, checkpoint_id, resource_key, writable=True):
    """The bank section where plugins keep what they saved of a resource.

    :param resource_key: a Resource, or its ``Type#id`` key.
    :returns: a BankSection; read-only unless ``writable``.
    """
    if hasattr(resource_key, 'key'):
        resource_key = resource_key.key()
    return bank.section(resources_prefix(checkpoint_id) +
                        resource_segment(resource_key), writable)


class CheckpointLease:
    """A held checkpoint lease; see :func:`acquire_lease`."""

    def __init__(self, bank, checkpoint_id, owner, ttl_seconds):
        self.bank = bank
        self.checkpoint_id = checkpoint_id
        self.name = lease_name(checkpoint_id)
        self.owner = owner
        self.ttl_seconds = ttl_seconds

    def renew(self):
        """:raises smaug.exception.OperationClaimed: if it was lost."""
        if not self.bank.renew_lease(self.name, self.owner, self.ttl_seconds):
            raise _claimed(self.bank, self.checkpoint_id, self.owner)

    def release(self):
        self.bank.release_lease(self.name, self.owner)


def _claimed(bank, checkpoint_id, owner):
    holder = bank.get_lease(lease_name(checkpoint_id))
    return exception.OperationClaimed(
        object='Checkpoint', id=checkpoint_id,
        holder=holder.owner if holder else 'nobody',
        until=(datetime.datetime.fromtimestamp(
            holder.expires_at, datetime.timezone.utc).isoformat()
            if holder else 'now'),
        owner=owner)


def acquire_lease(bank, checkpoint_id, owner, ttl_seconds, take_over=None,
                  patience=0, sleep=time.sleep):
    """Take the checkpoint's lease for ``owner``; renew it well within
    ``ttl_seconds`` and release it when done writing.

    :param take_over: an owner known to be gone (an earlier life of the
        same agent): a lease it holds is taken at once.
    :param patience: seconds to keep trying while another owner holds the
        lease. A holder that died stops renewing it, so it frees within
        its TTL; one that still holds it after that is alive.
    :param sleep: waits between tries; tests pass one that moves a clock.
    :returns: a :class:`CheckpointLease`.
    :raises smaug.exception.OperationClaimed: when another owner holds it.
    """
    name = lease_name(checkpoint_id)
    if take_over is not None and take_over != owner:
        bank.release_lease(name, take_over)
    interval = min(1.0, max(0.1, ttl_seconds / 10.0))
    waited = 0.0
    while not bank.acquire_lease(name, owner, ttl_seconds):
        if waited >= patience:
            raise _claimed(bank, checkpoint_id, owner)
        sleep(interval)
        waited += interval
    return CheckpointLease(bank, checkpoint_id, owner, ttl_seconds)


@contextlib.contextmanager
def hold_checkpoint(bank, checkpoint_id, owner, ttl_seconds):
    """Hold the checkpoint's lease while writing it; released at the end.

    Renew it (``lease.renew()``) well within ``ttl_seconds``.

    :raises smaug.exception.OperationClaimed: when another agent holds it.
    """
    lease = acquire_lease(bank, checkpoint_id, owner, ttl_seconds)
    try:
        yield lease
    finally:
        lease.release()
