"""The time the scheduler fires by, as ``[operationengine] clock`` names it.

A clock is a callable returning the current time as an aware UTC
datetime. Fire times, windows and a run's start and end are read from it;
heartbeats and leases are not (they compare database times), so a shifted
clock moves schedules without making any service look dead.
"""
import datetime
import os

SYSTEM = 'system'
OFFSET_FILE = 'offset-file:'


def system_clock():
    return datetime.datetime.now(datetime.timezone.utc)


class OffsetFileClock:
    """The system clock shifted by the seconds written in a file.

    The file is read again whenever its modification time changes, so a
    rehearsal (or a test) moves every engine's time by rewriting it; a
    missing or empty file means no shift.
    """

    def __init__(self, path):
        self.path = path
        self._stamp = None
        self._offset = datetime.timedelta(0)

    def _current_offset(self):
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return datetime.timedelta(0)
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            with open(self.path) as f:
                text = f.read().strip()
            self._offset = datetime.timedelta(seconds=float(text or 0))
            self._stamp = stamp
        return self._offset

    def __call__(self):
        return system_clock() + self._current_offset()


def from_conf(conf):
    """The clock ``[operationengine] clock`` names.

    :raises ValueError: for a value that names no clock.
    """
    name = conf.operationengine.clock
    if name == SYSTEM:
        return system_clock
    if name.startswith(OFFSET_FILE) and len(name) > len(OFFSET_FILE):
        return OffsetFileClock(name[len(OFFSET_FILE):])
    raise ValueError('[operationengine] clock is "%s"; it must be "%s" or '
                     '"%s<path>"' % (name, SYSTEM, OFFSET_FILE))


def write_offset(path, seconds):
    """Shift every :class:`OffsetFileClock` reading ``path`` by
    ``seconds``; the file is replaced atomically, so no reader sees it
    half written."""
    temporary = '%s.%d.tmp' % (path, os.getpid())
    with open(temporary, 'w') as f:
        f.write('%r\n' % float(seconds))
    os.replace(temporary, path)
