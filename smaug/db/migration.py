"""Schema migrations of Smaug's database, run by ``smaug-manage db``.

The alembic environment lives in ``smaug/db/migrations``; its configuration
is built here rather than read from an alembic.ini, so the only database
setting is Smaug's own [database] connection.
"""
from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script

from smaug.db import session

SCRIPT_LOCATION = 'smaug.db:migrations'


def _config(connection=None):
    config = alembic_config.Config()
    config.set_main_option('script_location', SCRIPT_LOCATION)
    config.attributes['connection'] = connection
    return config


def upgrade(revision='head', engine=None):
    """Migrate the schema up to ``revision``.

    :param engine: the database to migrate; the configured one by default.
    """
    with (engine or session.get_engine()).begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(revision, engine=None):
    """Migrate the schema down to ``revision``; 'base' drops every table.

    :param engine: the database to migrate; the configured one by default.
    """
    with (engine or session.get_engine()).begin() as connection:
        command.downgrade(_config(connection), revision)


def version(engine=None):
    """The schema's current revision, or None if it was never migrated.

    :param engine: the database to inspect; the configured one by default.
    """
    with (engine or session.get_engine()).connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        return context.get_current_revision()


def head():
    """The newest revision this code knows, which ``upgrade`` reaches."""
    scripts = alembic_script.ScriptDirectory.from_config(_config())
    return scripts.get_current_head()
