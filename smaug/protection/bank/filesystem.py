"""A bank in a directory: a local disk, or NFS shared by every agent.

Under ``[file_system_bank] bank_path``::

    objects/<key>,object   one file per object: a JSON header line
                           ({size, metadata}), then the data
    leases/<name>,lease    one JSON file ({owner, expires_at}) per lease
    tmp/                   files being written, renamed into place when
                           complete, so a reader never sees half an object
    leases.lock            locked while a lease is read and changed

Object files end in ``,object`` (keys cannot hold a comma) so that key
``a`` (a file) and key ``a/b`` (a file in directory ``a``) can both exist,
as they can in an object store. The header makes an object and its metadata
one file, replaced by one rename.

Leases are changed under an fcntl lock on ``leases.lock`` (which NFS locks
too) plus a lock of this process, since fcntl locks do not exclude the
threads of one process from each other.
"""
import contextlib
import errno
import fcntl
import functools
import json
import os
import re
import tempfile
import threading
import time

from oslo_config import cfg

from smaug.protection.bank import base

GROUP = 'file_system_bank'
OBJECT_SUFFIX = ',object'
LEASE_SUFFIX = ',lease'
HEADER_LIMIT = 64 * 1024
_SEGMENT = re.compile(r'[A-Za-z0-9_.\-@:]+\Z')

file_system_bank_opts = [
    cfg.StrOpt('bank_path', required=True,
               help='Directory of the bank; every agent of the provider '
                    'must see the same one (e.g. over NFS).'),
    cfg.BoolOpt('fsync', default=True,
                help='Flush every object to disk before it becomes '
                     'visible; turn off only for throw-away banks.'),
]

_process_locks = {}
_process_locks_guard = threading.Lock()


def _process_lock(path):
    with _process_locks_guard:
        return _process_locks.setdefault(path, threading.Lock())


def _os_errors(method):
    """Report file-system failures as the bank's, naming the directory."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except OSError as error:
            raise base.BankUnavailable(bank=self.root, reason=str(error))
    return wrapper


class FileSystemBankPlugin(base.BankPlugin):
    """The ``file-system`` bank."""

    def __init__(self, conf, clock=time.time):
        super().__init__(conf, clock)
        section = conf[GROUP]
        if not section.bank_path:
            raise base.BankConfigError(bank=GROUP,
                                       reason='bank_path is not set')
        self.root = os.path.abspath(section.bank_path)
        self._fsync = section.fsync
        self._objects = os.path.join(self.root, 'objects')
        self._leases = os.path.join(self.root, 'leases')
        self._tmp = os.path.join(self.root, 'tmp')
        self._lock_path = os.path.join(self.root, 'leases.lock')
        self._make_directories()
        self._thread_lock = _process_lock(os.path.realpath(self._lock_path))

    @classmethod
    def register_opts(cls, conf):
        conf.register_opts(file_system_bank_opts, group=GROUP)

    @_os_errors
    def _make_directories(self):
        for directory in (self._objects, self._leases, self._tmp):
            os.makedirs(directory, mode=0o700, exist_ok=True)

    # Files

    def _object_path(self, key):
        return os.path.join(self._objects, key + OBJECT_SUFFIX)

    def _lease_path(self, name):
        return os.path.join(self._leases, name + LEASE_SUFFIX)

    def _write_file(self, path, chunks):
        """Replace ``path`` by a file of ``chunks``, atomically."""
        fd, temporary = tempfile.mkstemp(dir=self._tmp, prefix='write-')
        try:
            with os.fdopen(fd, 'wb') as f:
                for chunk in chunks:
                    f.write(chunk)
                f.flush()
                if self._fsync:
                    os.fsync(f.fileno())
            self._rename_into_place(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def _rename_into_place(self, temporary, path):
        directory = os.path.dirname(path)
        for attempt in range(20):
            try:
                os.makedirs(directory, mode=0o700, exist_ok=True)
                os.replace(temporary, path)
                break
            except (FileNotFoundError, FileExistsError):
                # A delete pruned the directory between makedirs and the
                # rename, or while makedirs checked it had been made by
                # another writer: make it again.
                if attempt == 19 or not os.path.exists(temporary):
                    raise
        if self._fsync:
            self._fsync_directory(directory)

    @staticmethod
    def _fsync_directory(directory):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _remove_file(self, path, top):
        """Remove ``path`` and the directories it leaves empty up to
        ``top``; :returns: False if it did not exist."""
        try:
            os.unlink(path)
        except (FileNotFoundError, NotADirectoryError):
            return False
        directory = os.path.dirname(path)
        while directory != top and directory.startswith(top):
            try:
                os.rmdir(directory)
            except OSError as error:
                if error.errno in (errno.ENOTEMPTY, errno.EEXIST):
                    break
                if error.errno != errno.ENOENT:
                    raise
            directory = os.path.dirname(directory)
        return True

    # Objects

    @_os_errors
    def put_object(self, key, data, metadata=None):
        base.validate_key(key)
        metadata = base.validate_metadata(metadata)
        data = bytes(data)
        header = json.dumps({'size': len(data), 'metadata': metadata},
                            sort_keys=True).encode() + b'\n'
        self._write_file(self._object_path(key), (header, data))

    def _open(self, key):
        base.validate_key(key)
        try:
            return open(self._object_path(key), 'rb')
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise base.BankObjectNotFound(key=key)

    @staticmethod
    def _read_header(f, key):
        line = f.readline(HEADER_LIMIT)
        try:
            if not line.endswith(b'\n'):
                raise ValueError('the header is cut')
            header = json.loads(line)
            size, metadata = header['size'], header['metadata']
            if not isinstance(size, int) or not isinstance(metadata, dict):
                raise ValueError('the header is malformed')
        except (ValueError, KeyError, TypeError) as error:
            raise base.BankCorruption(key=key, reason=str(error))
        return size, metadata

    @_os_errors
    def get_object_with_metadata(self, key):
        with self._open(key) as f:
            size, metadata = self._read_header(f, key)
            data = f.read()
        if len(data) != size:
            raise base.BankCorruption(
                key=key, reason='it holds %d bytes where %d were written'
                                % (len(data), size))
        return data, metadata

    @_os_errors
    def head_object(self, key):
        with self._open(key) as f:
            size, metadata = self._read_header(f, key)
        return base.ObjectInfo(size, metadata)

    @_os_errors
    def delete_object(self, key):
        base.validate_key(key)
        self._remove_file(self._object_path(key), self._objects)

    @_os_errors
    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        base.validate_listing(prefix, marker, limit, sort_dir)
        if limit == 0:
            return []
        # Start from the deepest directory that the prefix names whole.
        head, _, _ = prefix.rpartition('/')
        directory = os.path.join(self._objects, head) if head else (
            self._objects)
        keys = []
        for key in self._walk(directory, head + '/' if head else '', prefix,
                              marker, sort_dir):
            keys.append(key)
            if limit is not None and len(keys) >= limit:
                break
        return keys

    def _walk(self, directory, parent, prefix, marker, sort_dir):
        """Keys under ``directory`` (whose keys start with ``parent``).

        Siblings are sorted by key for objects and by key + '/' for
        directories: every key in directory ``d`` starts with ``d/``, so
        this order, walked depth first, is the order of the keys.
        """
        try:
            with os.scandir(directory) as entries:
                children = []
                for entry in entries:
                    if entry.name.endswith(OBJECT_SUFFIX):
                        segment = entry.name[:-len(OBJECT_SUFFIX)]
                        if _SEGMENT.match(segment) and entry.is_file(
                                follow_symlinks=False):
                            children.append((parent + segment, None))
                    elif _SEGMENT.match(entry.name) and entry.is_dir(
                            follow_symlinks=False):
                        children.append((parent + entry.name + '/',
                                         entry.path))
        except (FileNotFoundError, NotADirectoryError):
            return
        children.sort(reverse=sort_dir == 'desc')
        for name, path in children:
            if path is None:
                if name.startswith(prefix) and base.after_marker(
                        name, marker, sort_dir):
                    yield name
            elif ((name.startswith(prefix) or prefix.startswith(name)) and
                  _subtree_may_follow(name, marker, sort_dir)):
                yield from self._walk(path, name, prefix, marker, sort_dir)

    # Leases

    @contextlib.contextmanager
    def _locked_leases(self):
        with self._thread_lock:
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX)
                yield
            finally:
                # Closing the file releases its fcntl lock.
                os.close(fd)

    def _read_lease(self, name):
        try:
            with open(self._lease_path(name), 'rb') as f:
                record = json.load(f)
            return base.Lease(record['owner'], float(record['expires_at']))
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (ValueError, KeyError, TypeError) as error:
            raise base.BankCorruption(key='lease ' + name, reason=str(error))

    def _write_lease(self, name, owner, ttl_seconds):
        record = {'owner': owner, 'expires_at': self.clock() + ttl_seconds}
        self._write_file(self._lease_path(name),
                         (json.dumps(record).encode(),))

    @_os_errors
    def acquire_lease(self, name, owner, ttl_seconds):
        base.validate_key(name, what='lease name')
        base.validate_owner(owner)
        base.validate_ttl(ttl_seconds)
        with self._locked_leases():
            current = self._read_lease(name)
            if (current is not None and current.owner != owner and
                    current.expires_at > self.clock()):
                return False
            self._write_lease(name, owner, ttl_seconds)
            return True

    @_os_errors
    def renew_lease(self, name, owner, ttl_seconds):
        base.validate_key(name, what='lease name')
        base.validate_owner(owner)
        base.validate_ttl(ttl_seconds)
        with self._locked_leases():
            current = self._read_lease(name)
            if (current is None or current.owner != owner or
                    current.expires_at <= self.clock()):
                return False
            self._write_lease(name, owner, ttl_seconds)
            return True

    @_os_errors
    def release_lease(self, name, owner):
        base.validate_key(name, what='lease name')
        with self._locked_leases():
            current = self._read_lease(name)
            if current is None or current.owner != owner:
                return False
            self._remove_file(self._lease_path(name), self._leases)
            return True

    @_os_errors
    def get_lease(self, name):
        base.validate_key(name, what='lease name')
        current = self._read_lease(name)
        if current is None or current.expires_at <= self.clock():
            return None
        return current


def _subtree_may_follow(subtree, marker, sort_dir):
    """Whether a directory whose keys start with ``subtree`` (ending in
    '/') may hold a key after ``marker``."""
    if marker is None:
        return True
    if sort_dir == 'asc':
        return subtree > marker or marker.startswith(subtree)
    # Every key in the subtree is longer than, so greater than, subtree.
    return subtree < marker
