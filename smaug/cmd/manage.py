"""smaug-manage: migrate and purge the database, list the services.

Commands come in categories, as in ``smaug-manage db sync``. A category is
a class whose public methods are its actions; ``@args`` declares an
action's command-line arguments. A new category is one more entry in
``CATEGORIES``.
"""
import inspect
import sys

from oslo_config import cfg
from oslo_log import log as logging

from smaug import context
from smaug import exception
from smaug import liveness
from smaug.conf import CONF
from smaug.conf import opts
from smaug.db import api as db
from smaug.db import migration
from smaug.db import scheduling
from smaug.protection import providers
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import importer
from smaug.protection.chunks import keys
from smaug.protection.chunks import store as chunk_store

# Parsed arguments land in CONF.category next to oslo.config's own names;
# the prefix keeps an action's argument from shadowing one of them.
_ARG_PREFIX = 'action_kwarg_'


def args(*flags, **kwargs):
    """Declare an argument of an action, as argparse's add_argument would."""
    def declare(action):
        action.__dict__.setdefault('arguments', []).insert(0, (flags, kwargs))
        return action
    return declare


class DbCommands:
    """Migrate and purge the database."""

    @args('version', nargs='?', default='head',
          help='the revision to migrate to; the newest by default')
    def sync(self, version):
        """Migrate the database schema up to a revision."""
        migration.upgrade(version)

    def version(self):
        """Print the revision the database schema is at."""
        print(migration.version() or 'none')

    @args('--age-in-days', type=int, required=True,
          help='purge rows deleted more than this many days ago; 0 purges '
               'every deleted row')
    def purge(self, age_in_days):
        """Remove deleted rows from the database for good."""
        if age_in_days < 0:
            print('--age-in-days must be 0 or more, not %d.' % age_in_days,
                  file=sys.stderr)
            return 1
        purged = db.purge_deleted_rows(context.get_admin_context(),
                                       age_in_days)
        for table, count in sorted(purged.items()):
            if count:
                print('%s: %d rows purged' % (table, count))
        print('%d rows purged in total.' % sum(purged.values()))


class ServiceCommands:
    """Show the services that report to the database."""

    def list(self):
        """List the services with their heartbeat state."""
        row = '%-24s %-32s %-9s %-6s %s'
        print(row % ('Binary', 'Host', 'Status', 'State', 'Updated_At'))
        for service in db.service_get_all(context.get_admin_context()):
            print(row % (service.binary, service.host,
                         'disabled' if service.disabled else 'enabled',
                         'up' if liveness.is_up(service) else 'down',
                         service.updated_at or service.created_at))


class ScheduledOperationCommands:
    """Suspend and resume scheduled operations, and show their runs."""

    def _set_enabled(self, operation_id, enabled):
        operation = scheduling.operation_set_enabled(
            context.get_admin_context(), operation_id, enabled)
        # The engines claim fire times of enabled operations only, so a
        # suspension holds at once; a resumption is read at their next
        # poll.
        print('Scheduled operation %s %s.' % (
            operation.id, 'resumed' if enabled else 'suspended'))

    @args('operation_id', help='the scheduled operation')
    def suspend(self, operation_id):
        """Stop firing a scheduled operation; its history stays."""
        self._set_enabled(operation_id, False)

    @args('operation_id', help='the scheduled operation')
    def resume(self, operation_id):
        """Fire a suspended operation again, from its next fire time."""
        self._set_enabled(operation_id, True)

    @args('operation_id', help='the scheduled operation')
    @args('--limit', type=int, default=20,
          help='how many of the latest runs to show')
    def runs(self, operation_id, limit):
        """List the latest runs of a scheduled operation."""
        ctx = context.get_admin_context()
        db.scheduled_operation_get(ctx, operation_id)
        row = '%-19s  %-19s  %-19s  %-9s  %-36s  %s'
        print(row % ('Fire time', 'Started', 'Ended', 'State',
                     'Checkpoint', 'Error'))
        for run in db.scheduled_operation_log_get_all(
                ctx, filters={'operation_id': operation_id}, limit=limit,
                sort_keys=['expect_start_time'], sort_dirs=['desc']):
            print(row % tuple(value or '-' for value in (
                _second(run.expect_start_time),
                _second(run.actual_start_time), _second(run.end_time),
                run.state, run.checkpoint_id, run.error)))


def _second(moment):
    return moment.strftime('%Y-%m-%d %H:%M:%S') if moment else None


def _bank_of(provider_id):
    """(the provider, its bank)."""
    provider = providers.get_registry().get(provider_id)
    return provider, bank_module.Bank.from_provider(provider)


#: What a garbage collection reports, in the order it is printed.
GC_REPORT_FIELDS = ('bytes_freed', 'chunks_removed', 'chunks_kept',
                    'chunks_too_young', 'manifests', 'dangling_refs_removed',
                    'stale_writers_removed')


class BankCommands:
    """Read the checkpoints that the providers' banks hold; re-wrap their
    chunk data keys; collect their unreferenced chunks."""

    @args('--provider-id', required=True,
          help='the provider whose bank is read')
    def _import(self, provider_id):
        """Record in the database the checkpoints the bank holds and the
        database lacks; running it again adds nothing."""
        provider, bank = _bank_of(provider_id)
        counts = importer.import_checkpoints(context.get_admin_context(),
                                             provider, bank)
        for name, count in counts.items():
            print('%s: %d' % (name, count))
        return 1 if counts['corrupt'] else 0

    @args('--provider-id', required=True,
          help='the provider whose bank is re-wrapped')
    def rewrap_keys(self, provider_id):
        """Wrap every chunk data key of the bank with the current [chunk_store]
        encryption_key, so that previous_encryption_keys can then be
        removed; running it again, after an interruption too, is safe."""
        _, bank = _bank_of(provider_id)
        wrapping_keys = keys.WrappingKeys.from_conf(CONF.chunk_store)
        if wrapping_keys is None:
            print('[chunk_store] encryption_key is not set: there is no key '
                  'to wrap data keys with.', file=sys.stderr)
            return 1
        report = keys.rewrap_all(bank, wrapping_keys,
                                 CONF.chunk_store.lease_seconds)
        for scope, error in sorted(report['failed'].items()):
            print('%s: %s' % (scope, error), file=sys.stderr)
        for name in ('rewrapped', 'skipped', 'failed'):
            print('%s: %d' % (name, len(report[name])))
        return 1 if report['failed'] else 0

    @args('--provider-id', required=True,
          help='the provider whose bank is collected')
    def collect_garbage(self, provider_id):
        """Delete now the chunks no manifest of the bank references, and
        say what that freed. Agents do it in the background after each
        checkpoint deletion; this is safe while they run."""
        _, bank = _bank_of(provider_id)
        report = chunk_store.ChunkStore.for_bank(bank).collect_garbage()
        if report.skipped:
            print('skipped: %s' % report.reason, file=sys.stderr)
            return 1
        for name in GC_REPORT_FIELDS:
            print('%s: %d' % (name, getattr(report, name)))
        return 0


# 'import' is a Python keyword, so the action gets its name here.
setattr(BankCommands, 'import', BankCommands._import)


CATEGORIES = {
    'db': DbCommands,
    'service': ServiceCommands,
    'bank': BankCommands,
    'scheduled_operation': ScheduledOperationCommands,
}


def _actions(category):
    return [(name, method) for name, method in
            inspect.getmembers(category, inspect.isfunction)
            if not name.startswith('_')]


def _add_argument(parser, flags, kwargs):
    """Add an action's argument; :returns: its keyword name."""
    name = flags[0].lstrip('-').replace('-', '_')
    if flags[0].startswith('-'):
        parser.add_argument(*flags, dest=_ARG_PREFIX + name, **kwargs)
    else:
        parser.add_argument(_ARG_PREFIX + name, metavar=name, **kwargs)
    return name


def add_command_parsers(subparsers):
    for category_name, category in CATEGORIES.items():
        category_parser = subparsers.add_parser(category_name,
                                                help=category.__doc__)
        actions = category_parser.add_subparsers(dest='action',
                                                 metavar='<action>')
        actions.required = True
        for action_name, method in _actions(category):
            parser = actions.add_parser(action_name, help=method.__doc__)
            names = [_add_argument(parser, flags, kwargs) for flags, kwargs
                     in getattr(method, 'arguments', [])]
            parser.set_defaults(category_class=category,
                                action_method=method, action_args=names)


category_opt = cfg.SubCommandOpt('category', title='Command categories',
                                 help='the category of the command',
                                 handler=add_command_parsers)


def main():
    opts.set_defaults(CONF)
    CONF.register_cli_opt(category_opt)
    logging.register_options(CONF)
    CONF(sys.argv[1:], project='smaug')
    logging.setup(CONF, 'smaug')

    chosen = CONF.category
    kwargs = {name: getattr(chosen, _ARG_PREFIX + name)
              for name in chosen.action_args}
    try:
        return chosen.action_method(chosen.category_class(), **kwargs)
    except exception.SmaugException as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
