"""Transactions on the configured database, and the rows they may touch.

All of Smaug's database access shares one oslo.db transaction context: a
function that runs inside another's transaction (same RequestContext, same
thread) joins it instead of opening its own. Sessions do not expire their
objects on commit, so records stay readable after the transaction ends.
"""
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

from smaug.db import models

main_context_manager = enginefacade.transaction_context()
main_context_manager.configure(sqlite_fk=True, expire_on_commit=False)


def get_engine():
    """The engine of the configured [database] connection."""
    return main_context_manager.writer.get_engine()


def reader(context):
    """A read-only transaction on behalf of ``context``."""
    return main_context_manager.reader.using(context)


def writer(context):
    """A transaction on behalf of ``context`` that commits when it ends."""
    return main_context_manager.writer.using(context)


def live(session, model):
    """The rows of ``model`` that are not deleted."""
    return session.query(model).filter(model.deleted == sa.false())


def soft_delete(query):
    """Mark the rows of ``query`` deleted; :returns: how many."""
    return query.update({'deleted': True, 'deleted_at': models.utcnow()},
                        synchronize_session=False)
