"""Bring the checkpoints of a bank into the database.

The bank is the durable copy of every checkpoint. A deployment that is new
(or whose database was lost) imports the checkpoints of each provider's bank
to list, restore and delete them again. Importing twice changes nothing.
"""
from oslo_db import exception as db_exception
from oslo_log import log as logging

from smaug import exception
from smaug import states
from smaug.db import api as db
from smaug.protection.bank import base
from smaug.protection.bank import checkpoint_layout

LOG = logging.getLogger(__name__)

BATCH = 200
_STATUS = states.CheckpointStatus
SETTLED = (_STATUS.AVAILABLE, _STATUS.ERROR)
UNFINISHED_REASON = ('Imported from the bank, where it was left %s with no '
                     'agent holding it.')


def _values(document, status, error_reason=None):
    plan = document['protection_plan']
    values = {
        'id': document['id'],
        'project_id': document['project_id'],
        'user_id': document.get('owner_id'),
        'provider_id': document['provider_id'],
        'plan_id': plan['id'],
        'status': status,
        'protection_plan': plan,
        'resource_graph': document.get('resource_graph'),
        'extra_info': document.get('extra_info') or {},
        'created_at': checkpoint_layout.parse_time(document['created_at']),
    }
    if error_reason is not None:
        values['error_reason'] = error_reason
    return values


def _status_to_import(bank, document):
    """(status, error_reason) to record, or None to leave it for now.

    A checkpoint that is still being written (its lease is held) is left
    for a later import; one left unfinished by an agent that is gone is
    recorded as an error, so that it can be deleted.
    """
    status = document['status']
    if status in SETTLED:
        return status, None
    lease = bank.get_lease(checkpoint_layout.lease_name(document['id']))
    if lease is not None:
        return None
    return _STATUS.ERROR, UNFINISHED_REASON % status


def import_checkpoints(ctx, provider, bank):
    """Create a database record for every checkpoint of ``provider`` that
    ``bank`` holds and the database lacks.

    :param ctx: an admin RequestContext (checkpoints of every project).
    :param provider: the Provider whose bank is read; checkpoints of other
        providers sharing the bank are skipped.
    :param bank: that provider's Bank.
    :returns: counts: {'imported', 'present' (already in the database),
        'in_progress' (still being written), 'deleted' (since listed),
        'other_provider', 'conflicts' (ids the database keeps as deleted),
        'corrupt' (unreadable; logged)}.
    :raises BankUnavailable: when the bank cannot be read.
    :raises smaug.exception.NotAuthorized: for a context that is not an
        admin's: it would not see the records of other projects.
    """
    if not ctx.is_admin:
        raise exception.NotAuthorized()
    counts = dict.fromkeys(('imported', 'present', 'in_progress', 'deleted',
                            'other_provider', 'conflicts', 'corrupt'), 0)
    entries = checkpoint_layout.list_checkpoints(bank, sort_dir='asc')
    for start in range(0, len(entries), BATCH):
        ids = [entry['id'] for entry in entries[start:start + BATCH]]
        known = {record.id for record in db.checkpoint_get_all(
            ctx, filters={'id': ids}, all_tenants=True)}
        counts['present'] += len(known)
        for checkpoint_id in ids:
            if checkpoint_id not in known:
                counts[_import_one(ctx, provider, bank, checkpoint_id)] += 1
    LOG.info('Checkpoints of provider %s imported from its bank: %s',
             provider.id, counts)
    return counts


def _import_one(ctx, provider, bank, checkpoint_id):
    """:returns: the count the checkpoint adds to."""
    try:
        document = checkpoint_layout.read_checkpoint(bank, checkpoint_id)
    except exception.CheckpointNotFound:
        return 'deleted'
    except base.BankError as error:
        LOG.error('Checkpoint %s cannot be imported: %s', checkpoint_id,
                  error)
        return 'corrupt'
    if document.get('provider_id') != provider.id:
        return 'other_provider'
    if document.get('status') == _STATUS.DELETED:
        return 'deleted'
    decision = _status_to_import(bank, document)
    if decision is None:
        return 'in_progress'
    try:
        values = _values(document, *decision)
    except (KeyError, TypeError, exception.InvalidInput) as error:
        LOG.error('Checkpoint %s cannot be imported: its index.json lacks '
                  'or mangles %s', checkpoint_id, error)
        return 'corrupt'
    try:
        db.checkpoint_create(ctx, values)
    except db_exception.DBDuplicateEntry:
        LOG.warning('Checkpoint %s is in the bank but deleted in the '
                    'database; it is not imported.', checkpoint_id)
        return 'conflicts'
    return 'imported'
