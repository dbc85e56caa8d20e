"""The migrations against the models, on every supported database."""
from alembic import autogenerate
from alembic import migration as alembic_migration
import pytest
import sqlalchemy as sa

from smaug.db import migration
from smaug.db import models
from smaug.tests.fixtures import database

MODEL_TABLES = set(models.Base.metadata.tables)


@pytest.fixture(params=database.BACKENDS)
def empty_database(request):
    """A database of each backend without any table."""
    fixture = database.Database(request.param, migrate=False)
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)
    return fixture


def _tables(engine):
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_to_head_and_downgrade_to_base(empty_database):
    engine = empty_database.engine
    assert migration.version() is None

    migration.upgrade()
    assert migration.version() == migration.head()
    assert _tables(engine) == MODEL_TABLES | {'alembic_version'}

    migration.downgrade('base', engine=engine)
    assert migration.version(engine) is None
    assert _tables(engine) == {'alembic_version'}


def test_models_match_migrations(migrated_database):
    engine = migrated_database.engine
    assert migration.version(engine) == migration.head()

    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection, opts={'compare_type': True,
                              'compare_server_default': True})
        differences = autogenerate.compare_metadata(context,
                                                    models.Base.metadata)

    assert differences == []
