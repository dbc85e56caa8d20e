"""An image's bytes from Glance, checked against the digest Glance
computed when they were uploaded.

glanceclient can check a download itself, but it hashes each piece in
the thread that reads the response, between receiving one piece and the
next. With SHA-512 that costs more CPU than receiving, and the chunk
store's writer, which reads in that thread, would wait for it. Here the
hash runs in a thread of its own, fed the pieces in order through a
bounded queue (hashlib releases the GIL), and the check is as strict: the
read that reaches the end of the body fails when the digests differ, so
the chunk store never writes a manifest for a damaged download.
"""
import hashlib
import queue
import threading

from smaug import exception

#: Pieces (glanceclient's are 1 MiB) waiting for the hashing thread: what
#: it may lag behind the reader, and all the memory it adds.
QUEUED_PIECES = 8


class ImageDownloadCorrupt(exception.SmaugException):
    message = ('Corrupt download of image %(image)s: its %(algorithm)s is '
               '%(actual)s where Glance computed %(expected)s.')


def expected_digest(image):
    """(hashlib algorithm, hex digest) Glance computed for the image's
    bytes, as glanceclient chooses it: the ``os_hash_value`` (its
    ``os_hash_algo``), else the MD5 ``checksum``; None when it has
    neither.
    """
    if image.get('os_hash_value'):
        return image['os_hash_algo'], image['os_hash_value']
    if image.get('checksum'):
        return 'md5', image['checksum']
    return None


def checked_data(glance, image_id):
    """The image's bytes, as glanceclient's ``images.data`` gives them
    (an iterable of byte strings, to be closed), checked as they come:
    the iteration raises :class:`ImageDownloadCorrupt` at its end when
    they do not have the digest Glance computed.

    :raises ValueError: when this Python has not the image's hash
        algorithm (glanceclient refuses such a download too).
    """
    # Read before the download, as glanceclient does, so that an image
    # deleted meanwhile is not checked against nothing.
    expected = expected_digest(glance.images.get(image_id))
    if expected is None:
        return glance.images.data(image_id, do_checksum=False)
    algorithm, value = expected
    hasher = hashlib.new(algorithm)
    return _checked(glance.images.data(image_id, do_checksum=False), hasher,
                    value, image_id)


def _checked(body, hasher, expected, image_id):
    pieces = iter(body)
    background = BackgroundHash(hasher)
    try:
        for piece in pieces:
            background.update(piece)
            yield piece
        actual = background.hexdigest()
    finally:
        background.close()
        close = getattr(pieces, 'close', None)
        if close is not None:
            close()
    if actual != expected:
        raise ImageDownloadCorrupt(image=image_id, algorithm=hasher.name,
                                   actual=actual, expected=expected)


class BackgroundHash:
    """A hashlib object fed, in order, by a thread of its own.

    :param hasher: a new hashlib object, owned from now on by the thread.
    """

    _END = None

    def __init__(self, hasher):
        self._hasher = hasher
        self._pieces = queue.Queue(QUEUED_PIECES)
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='hash-' + hasher.name)
        self._thread.start()

    def _run(self):
        for piece in iter(self._pieces.get, self._END):
            self._hasher.update(piece)

    def update(self, piece):
        """Hash ``piece`` after those given before; waits while
        :data:`QUEUED_PIECES` are queued."""
        self._pieces.put(piece)

    def hexdigest(self):
        """The digest of every piece given, once hashed."""
        self.close()
        return self._hasher.hexdigest()

    def close(self):
        """Stop the thread, once it has hashed what it was given."""
        if self._thread.is_alive():
            self._pieces.put(self._END)
            self._thread.join()
