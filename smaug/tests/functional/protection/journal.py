"""What the recording plugin's journal says about a flow.

The journal (:mod:`smaug.tests.plugins.recording`) has a line per step of
every activity: ``begin`` and ``end`` of the parallel ``start`` and ``run``
and of the ``sync`` step, ``created`` when a protect's run makes its
artifact and ``deleted`` when a revert (or a deletion) removes it, each
with the operation, its id, the resource id, the time and the pid of the
agent process. These functions answer the questions the tests ask of it;
each returns what it found wrong, so that a failure names it.
"""
import collections

# A sync whose end was saved in the write-behind batch lost with a killed
# agent runs again. Batches are 20 ms apart, but on 2 loaded cores a batch
# commit was seen to lag just over 0.5 s (0.508 s in CI): allow 1 s.
SYNC_REDO_WINDOW = 1.0


def of_operation(entries, operation_id, operation=None):
    """The entries of one operation (a checkpoint's protect and deletion
    share its id: name the ``operation`` to tell them apart)."""
    return [entry for entry in entries
            if entry['operation_id'] == operation_id and
            (operation is None or entry['operation'] == operation)]


def times(entries, phase, event):
    """{resource id: [time, ...]} of the entries of ``phase``/``event``."""
    found = collections.defaultdict(list)
    for entry in entries:
        if entry['phase'] == phase and entry['event'] == event:
            found[entry['resource']].append(entry['time'])
    return found


def order_violations(entries, children):
    """Sync steps that began before their own parallel work ended, or
    before the sync step of one of their children ended.

    A resumed flow may run a step again; every sync begin must follow some
    end of the step it waits for.

    :param children: {resource id: [child resource ids]}, the graph.
    :returns: a description per violation.
    """
    run_ends = times(entries, 'run', 'end')
    sync_ends = times(entries, 'sync', 'end')
    found = []
    for resource, begins in sorted(times(entries, 'sync', 'begin').items()):
        for begin in begins:
            if not any(end <= begin for end in run_ends.get(resource, ())):
                found.append('sync of %s began at %.3f, before its '
                             'parallel run ended (%s)' % (
                                 resource, begin, run_ends.get(resource)))
            for child in children.get(resource, ()):
                if not any(end <= begin for end in sync_ends.get(child, ())):
                    found.append('sync of %s began at %.3f, before the sync '
                                 'of its child %s ended (%s)' % (
                                     resource, begin, child,
                                     sync_ends.get(child)))
    return found


def children_seen(entries, children):
    """Syncs whose ``ctx.children`` was not exactly the resource's
    children: the outcomes a parent is handed."""
    found = []
    for entry in entries:
        if entry['phase'] == 'sync' and entry['event'] == 'end':
            expected = sorted(children.get(entry['resource'], ()))
            seen = sorted(key.partition('#')[2] for key in entry['children'])
            if seen != expected:
                found.append('sync of %s saw children %s, not %s' % (
                    entry['resource'], seen, expected))
    return found


def peak_concurrency(entries, phase):
    """The most ``phase`` steps that were running at the same moment (an
    end and a begin at the same instant do not overlap)."""
    events = sorted((entry['time'], 0 if entry['event'] == 'end' else 1)
                    for entry in entries if entry['phase'] == phase and
                    entry['event'] in ('begin', 'end'))
    running = peak = 0
    for _, starts in events:
        running += 1 if starts else -1
        peak = max(peak, running)
    return peak


def missing_syncs(entries, resources):
    """Resources whose sync step never ended."""
    ended = times(entries, 'sync', 'end')
    return sorted(set(resources) - set(ended))


def redone_syncs(entries, killed_at, window=SYNC_REDO_WINDOW):
    """Sync steps that ran again although they had ended more than
    ``window`` seconds before the agent was killed at ``killed_at``.

    Flow state is saved behind the engine in batches, so a step that ended
    just before a crash may not be saved and legitimately runs again;
    anything older had been saved and must not be redone.
    """
    found = []
    for resource, ends in sorted(times(entries, 'sync', 'end').items()):
        if len(ends) > 1 and min(ends) < killed_at - window:
            found.append('sync of %s ended at %.3f, %.3fs before the kill, '
                         'and ran again (ends: %s)' % (
                             resource, min(ends), killed_at - min(ends),
                             ends))
    return found


def leftover_artifacts(entries):
    """Resources whose artifact was created and not deleted afterwards.

    :param entries: the entries of one protect.
    """
    created = times(entries, 'run', 'created')
    deleted = times(entries, 'revert', 'deleted')
    return sorted(resource for resource, made in created.items()
                  if max(made) > max(deleted.get(resource, [0.0])))


def pids(entries):
    """The agent processes that worked on the entries."""
    return sorted({entry['pid'] for entry in entries})
