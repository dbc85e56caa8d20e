"""Runs Smaug's migrations on the connection ``smaug.db.migration`` opens."""
from alembic import context

from smaug.db import models


def run_migrations():
    context.configure(connection=context.config.attributes['connection'],
                      target_metadata=models.Base.metadata)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
