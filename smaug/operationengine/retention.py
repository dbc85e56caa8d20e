"""Which checkpoints of a plan a retention policy keeps, and which it drops.

A policy is a set of *keep* rules; a checkpoint is deleted only when no
rule keeps it, so adding a rule can only keep more. The rules, each off
unless given a positive number (``-1``, Karbor's "unlimited", and ``0``
turn a rule off):

``max_backups``
    The newest N checkpoints.
``retention_duration``
    Every checkpoint younger than N days: ``now - created_at < N days``.
``keep_hourly``, ``keep_daily``, ``keep_weekly``, ``keep_monthly``,
``keep_yearly`` (grandfather-father-son)
    The newest checkpoint of each of the N most recent hours, days, ISO
    weeks (Monday to Sunday), months or years *that hold a checkpoint*.
    Periods are UTC calendar periods. Periods without a checkpoint are not
    counted, so a schedule that stopped for a while does not lose its
    older checkpoints to the calendar moving on.

Only *available* checkpoints take part: the others (protecting, deleting,
error, copying...) are neither counted nor deleted. The newest available
checkpoint is always kept, whatever the rules, so a plan never loses its
last good copy to retention. Checkpoints are ordered by their exact
creation time, and among equal times by id (the greater id is the newer),
so that every engine reaches the same decision.

A policy without any rule keeps everything. Deciding again on what a
policy kept keeps all of it, so pruning twice (a run resumed on another
engine) deletes nothing more.
"""
import collections
import dataclasses
import datetime

import jsonschema

from smaug import exception
from smaug import states

MAX_BACKUPS = 'max_backups'
RETENTION_DURATION = 'retention_duration'
NEWEST_AVAILABLE = 'newest available'
NO_RULE = 'no retention rule'

_UTC = datetime.timezone.utc
# Each grandfather-father-son rule and the period a moment falls in.
PERIODS = {
    'keep_hourly': lambda moment: (moment.date(), moment.hour),
    'keep_daily': lambda moment: moment.date(),
    'keep_weekly': lambda moment: moment.isocalendar()[:2],
    'keep_monthly': lambda moment: (moment.year, moment.month),
    'keep_yearly': lambda moment: moment.year,
}
RULES = (MAX_BACKUPS, RETENTION_DURATION) + tuple(PERIODS)

# Karbor's clients send every value of a definition as a string.
COUNT = {
    'type': ['integer', 'string'],
    'minimum': -1,
    'maximum': 999999999,
    'pattern': '^(-1|[0-9]{1,9})$',
}
# The retention keys of an operation definition, for its JSON schema.
SCHEMA_PROPERTIES = {rule: COUNT for rule in RULES}
_COUNT_VALIDATOR = jsonschema.Draft202012Validator(COUNT)


def _count(rule, value):
    """The rule's positive number, or None when the rule is off.

    :raises ValidationError: when ``value`` is not a whole number from -1
        to 999999999, given as a number or a string.
    """
    if not _COUNT_VALIDATOR.is_valid(value):
        raise exception.ValidationError(
            detail="Invalid input for field 'operation_definition.%s': "
                   "expected a whole number from -1 to 999999999 (-1 and 0 "
                   "turn the rule off), got %r." % (rule, value))
    number = int(value)
    return number if number > 0 else None


def _utc(moment):
    """A naive UTC datetime; naive input is taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(_UTC).replace(tzinfo=None)
    return moment


@dataclasses.dataclass(frozen=True)
class Decision:
    """What a policy made of a plan's checkpoints.

    :ivar keep: {checkpoint id: the rules keeping it}, for the available
        checkpoints kept.
    :ivar delete: the ids of the available checkpoints no rule keeps,
        oldest first, so that an interrupted prune has removed the oldest.
    """

    keep: dict
    delete: tuple


@dataclasses.dataclass(frozen=True)
class RetentionPolicy:
    """The rules of a retention policy: {rule name: N}, rules that are on.

    Build one with :meth:`from_definition`.
    """

    rules: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def from_definition(cls, definition):
        """The policy of a scheduled operation's definition.

        Keys other than the retention rules are ignored.

        :raises ValidationError: when a rule's value is not a whole number
            from -1 to 999999999.
        """
        counts = {rule: _count(rule, definition[rule])
                  for rule in RULES if rule in definition}
        return cls({rule: count for rule, count in counts.items()
                    if count is not None})

    def decide(self, checkpoints, now):
        """Split a plan's available checkpoints into kept and deleted.

        :param checkpoints: the plan's checkpoints, any state, in any order:
            objects with ``id``, ``status`` and ``created_at`` (checkpoint
            records will do).
        :param now: the current time, naive UTC or aware.
        :returns: a :class:`Decision`.
        """
        now = _utc(now)
        newest_first = sorted(
            (checkpoint for checkpoint in checkpoints
             if checkpoint.status == states.CheckpointStatus.AVAILABLE),
            key=lambda checkpoint: (_utc(checkpoint.created_at),
                                    checkpoint.id),
            reverse=True)
        if not self.rules:
            return Decision({checkpoint.id: (NO_RULE,)
                             for checkpoint in newest_first}, ())
        reasons = collections.defaultdict(list)
        if newest_first:
            reasons[newest_first[0].id].append(NEWEST_AVAILABLE)
        for rule, count in self.rules.items():
            for checkpoint in self._kept_by(rule, count, newest_first, now):
                reasons[checkpoint.id].append(rule)
        return Decision(
            {checkpoint.id: tuple(reasons[checkpoint.id])
             for checkpoint in newest_first if checkpoint.id in reasons},
            tuple(checkpoint.id for checkpoint in reversed(newest_first)
                  if checkpoint.id not in reasons))

    @staticmethod
    def _kept_by(rule, count, newest_first, now):
        """The checkpoints ``rule`` keeps, given its number ``count``."""
        if rule == MAX_BACKUPS:
            return newest_first[:count]
        if rule == RETENTION_DURATION:
            age_limit = datetime.timedelta(days=count)
            return [checkpoint for checkpoint in newest_first
                    if now - _utc(checkpoint.created_at) < age_limit]
        period_of = PERIODS[rule]
        kept = []
        last_period = None
        for checkpoint in newest_first:
            if len(kept) == count:
                break
            period = period_of(_utc(checkpoint.created_at))
            # Newest first: the first checkpoint met in a period is its
            # newest.
            if period != last_period:
                kept.append(checkpoint)
                last_period = period
        return kept
