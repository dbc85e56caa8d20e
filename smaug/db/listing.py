"""Filtering, sorting and paging of record lists.

Pages are keyed by a marker record rather than an offset, and every sort
ends on the primary key: with created_at alone, two records created in the
same microsecond could swap places between pages.
"""
import operator

from oslo_db.sqlalchemy import utils as sqlalchemy_utils
from oslo_utils import timeutils

from smaug import exception
from smaug.db import models

DEFAULT_SORT_KEY = 'created_at'
DEFAULT_SORT_DIR = 'desc'

_RANGE_FILTERS = {
    'created_at_gte': ('created_at', operator.ge),
    'created_at_lt': ('created_at', operator.lt),
}


def listable_columns(model):
    """Columns a list may filter and sort on; JSON documents are not."""
    return {column.key for column in model.__table__.columns
            if not isinstance(column.type, models.JSON)
            and column.key not in ('deleted', 'deleted_at')}


def _as_datetime(value):
    if isinstance(value, str):
        return timeutils.normalize_time(timeutils.parse_isotime(value))
    return value


def filtered(query, model, filters):
    """``query`` narrowed by exact matches and created_at ranges.

    :param filters: {column: value, or a list of accepted values}, plus
        ``created_at_gte`` and ``created_at_lt`` (datetimes in UTC, or ISO
        8601 strings).
    :raises: InvalidInput for a key that is not a listable column.
    """
    columns = listable_columns(model)
    for key, value in filters.items():
        if key in _RANGE_FILTERS:
            column, compare = _RANGE_FILTERS[key]
            query = query.filter(compare(getattr(model, column),
                                         _as_datetime(value)))
        elif key in columns:
            column = getattr(model, key)
            if isinstance(value, (list, tuple, set, frozenset)):
                query = query.filter(column.in_(value))
            else:
                query = query.filter(column == value)
        else:
            raise exception.InvalidInput(
                reason='%s cannot be filtered on %s' % (model.__tablename__,
                                                        key))
    return query


def sort_order(model, sort_keys=None, sort_dirs=None):
    """The sort keys and directions of a page, ending with the id.

    :param sort_keys: listable columns; created_at when empty.
    :param sort_dirs: 'asc' or 'desc' per key; 'desc' for keys without one.
    :returns: (keys, dirs) of equal length.
    :raises: InvalidSortKey; InvalidInput for a bad direction.
    """
    keys = list(sort_keys or [DEFAULT_SORT_KEY])
    dirs = list(sort_dirs or [])
    if len(dirs) > len(keys):
        raise exception.InvalidInput(reason='more sort directions than keys')
    dirs += [DEFAULT_SORT_DIR] * (len(keys) - len(dirs))
    columns = listable_columns(model)
    for key in keys:
        if key not in columns:
            raise exception.InvalidSortKey(key=key)
    for direction in dirs:
        if direction not in ('asc', 'desc'):
            raise exception.InvalidInput(
                reason='sort direction %s is not asc or desc' % direction)
    if 'id' not in keys:
        keys.append('id')
        dirs.append(dirs[-1])
    return keys, dirs


def page(query, model, marker, limit, sort_keys, sort_dirs):
    """The records of ``query`` that follow ``marker`` in the sort order.

    :param marker: the last record of the previous page, or None.
    :param limit: the most records to return, or None for all.
    """
    return sqlalchemy_utils.paginate_query(
        query, model, limit, sort_keys, marker=marker,
        sort_dirs=sort_dirs).all()
