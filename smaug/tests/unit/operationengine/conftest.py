"""The database fixtures: see smaug.tests.fixtures.database."""
from smaug.tests.fixtures.database import database  # noqa: F401
from smaug.tests.fixtures.database import migrated_database  # noqa: F401
