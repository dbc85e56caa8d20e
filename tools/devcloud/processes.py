"""Processes of the test cloud: started in sessions of their own, found
again by later commands, stopped with everything they spawned.

Each process has a pid file, ``<state>/run/<name>.pid``, holding its pid and
start time (so that a reused pid is never mistaken for it), and a log,
``<state>/log/<name>.log``, that receives its stdout and stderr.
"""
import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request


class DevcloudError(Exception):
    """A failure devcloud explains in its message (no traceback needed)."""


class Process:
    """A long-running process of the cloud.

    :param name: also the name of its pid file and log file.
    :param argv: the command.
    :param state: the state directory (holds run/ and log/).
    :param port: TCP port it listens on, if any (must be free to start).
    :param ready_url: URL that answers (any status < 500) once it is ready;
        without it, an open ``port`` means ready.
    :param env: environment variables of this process only.
    """

    def __init__(self, name, argv, state, port=None, ready_url=None,
                 env=None):
        self.name = name
        self.argv = argv
        self.state = state
        self.port = port
        self.ready_url = ready_url
        self.env = env or {}

    @property
    def pid_file(self):
        return os.path.join(self.state, 'run', self.name + '.pid')

    @property
    def log_file(self):
        return os.path.join(self.state, 'log', self.name + '.log')

    def pid(self):
        """The pid of the running process, or None."""
        try:
            with open(self.pid_file) as f:
                pid, started = f.read().split()
        except (OSError, ValueError):
            return None
        return int(pid) if start_time(int(pid)) == started else None

    def start(self, environment):
        """Start the process unless it runs; returns whether it started.

        :param environment: the environment, before this process's own
            variables are added.
        :raises DevcloudError: if another process holds its port.
        """
        if self.pid():
            return False
        if self.port and port_open(self.port):
            raise DevcloudError(
                '%s: port %d is taken by a process devcloud does not know '
                'about' % (self.name, self.port))
        with open(self.log_file, 'ab') as log:
            log.write(b'\n==== %s starting %s\n' % (
                time.strftime('%Y-%m-%d %H:%M:%S').encode(),
                ' '.join(self.argv).encode()))
            log.flush()
            child = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=dict(environment, **self.env),
                cwd=self.state, start_new_session=True)
        with open(self.pid_file, 'w') as f:
            f.write('%d %s\n' % (child.pid, start_time(child.pid)))
        return True

    def started_at(self):
        """When the running process started (seconds since the epoch)."""
        pid = self.pid()
        if not pid:
            return None
        with open('/proc/stat') as f:
            boot = next(int(line.split()[1]) for line in f
                        if line.startswith('btime '))
        return boot + int(start_time(pid)) / os.sysconf('SC_CLK_TCK')

    def is_ready(self):
        if self.ready_url:
            return http_answers(self.ready_url)
        return port_open(self.port) if self.port else True

    def wait_ready(self, timeout=120):
        """:raises DevcloudError: with the log's tail, if the process exits
        or is not ready in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pid():
                raise DevcloudError('%s exited during start-up:\n%s' % (
                    self.name, tail(self.log_file, 30)))
            if self.is_ready():
                return
            time.sleep(0.3)
        raise DevcloudError('%s not ready after %ds:\n%s' % (
            self.name, timeout, tail(self.log_file, 30)))

    def members(self):
        """The pids of the process and of everything in its session."""
        pid = self.pid()
        return session_members(pid) if pid else []

    def stop(self, timeout):
        """Stop the process and its session; returns whether it ran."""
        members = self.members()
        terminate(members, timeout)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.pid_file)
        return bool(members)

    def rss_mib(self):
        """Resident memory of the process and its session, in MiB."""
        return sum(map(_rss_kib, self.members())) // 1024


def start_time(pid):
    """The start time of ``pid`` in clock ticks (tells pid reuse apart), or
    None if it is gone or a zombie."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] == 'Z' else fields[19]


def _proc_stats():
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as f:
                    fields = f.read().rsplit(')', 1)[1].split()
                yield int(entry), fields
            except OSError:
                continue


def session_members(sid):
    # fields[0] is the state (field 3 of stat), so fields[3] is the session.
    return [pid for pid, fields in _proc_stats()
            if int(fields[3]) == sid and fields[0] != 'Z']


def processes_mentioning(*needles):
    """Pids of the processes whose command line contains one of
    ``needles``."""
    found = []
    for pid, _ in _proc_stats():
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                cmdline = f.read().replace(b'\0', b' ').decode('utf-8',
                                                                'replace')
        except OSError:
            continue
        if pid != os.getpid() and any(n in cmdline for n in needles):
            found.append(pid)
    return found


def terminate(pids, timeout):
    """SIGTERM, then SIGKILL what is left after ``timeout`` seconds."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            pids = [p for p in pids if start_time(p) is not None]
            if not pids:
                return
            time.sleep(0.2)


def _rss_kib(pid):
    with contextlib.suppress(OSError):
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    return 0


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(('127.0.0.1', port)) == 0


def http_answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (OSError, ValueError):
        return False


def tail(path, lines):
    """The last ``lines`` lines of the file at ``path``."""
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 200 * lines))
            data = f.read().decode(errors='replace')
    except OSError:
        return '(no log at %s)' % path
    return '\n'.join(data.splitlines()[-lines:])
