"""Glance images in and out of the chunk store.

Shared by the Glance image plugin and by the live snapshot of a server
(:mod:`.server_snapshot`): what is saved of an image, how its bytes are
streamed from Glance into the bank's chunk store and back, how they are
copied into a copy of their checkpoint, how a restored image is checked
against the saved one, and how what an operation created in Glance is
found and removed again.

An image's bytes never sit in memory whole: they flow from the download
response through the chunk store's bounded writer, and from the chunk
store's reader into the upload request.
"""
from glanceclient import exc as glance_exc
from oslo_log import log as logging

from smaug import exception
from smaug.protection import waits
from smaug.protection.chunks import store as chunk_store
from smaug.protection.plugins.openstack import image_download
from smaug.protection.plugins.openstack import tagging

LOG = logging.getLogger(__name__)

#: The bank object (in the resource's section) with the image's manifest.
DATA = 'data'

#: What Glance sets or computes itself: never copied into a new image.
_SERVICE_FIELDS = frozenset((
    'id', 'status', 'owner', 'checksum', 'os_hash_algo', 'os_hash_value',
    'size', 'virtual_size', 'created_at', 'updated_at', 'direct_url',
    'locations', 'self', 'file', 'schema', 'stores'))
#: Fields saved and restored as they are.
_COPIED_FIELDS = ('name', 'disk_format', 'container_format', 'min_disk',
                  'min_ram', 'visibility', 'protected', 'os_hidden', 'tags')
#: Property names Glance keeps for itself and refuses from users.
_RESERVED_PREFIX = 'os_glance_'

#: Statuses from which an image never becomes active.
FAILED_STATUSES = ('killed', 'deleted', 'pending_delete', 'deactivated')


class ImageNotProtectable(exception.Invalid):
    message = ('Image %(image)s is %(status)s: only active images can be '
               'protected.')


class RestoredImageMismatch(exception.SmaugException):
    message = ('Restored image %(new_id)s of image %(image)s does not hold '
               'the protected data: %(reason)s.')


def describe(image):
    """What is saved of ``image`` to create it again.

    :param image: a glanceclient image (a dict-like model).
    :returns: a JSON dict: the copied fields, the custom ``properties``
        and the digests and size Glance computed for its data.
    """
    image = dict(image)
    saved = {field: image.get(field) for field in _COPIED_FIELDS}
    saved['tags'] = list(saved['tags'] or [])
    saved['properties'] = {
        key: value for key, value in image.items()
        if key not in _SERVICE_FIELDS and key not in _COPIED_FIELDS and
        not key.startswith(_RESERVED_PREFIX)}
    saved.update(id=image['id'], size=image.get('size'),
                 virtual_size=image.get('virtual_size'),
                 checksum=image.get('checksum'),
                 os_hash_algo=image.get('os_hash_algo'),
                 os_hash_value=image.get('os_hash_value'))
    return saved


def check_protectable(image):
    """:raises ImageNotProtectable: unless ``image`` is active."""
    if image.status != 'active':
        raise ImageNotProtectable(image=image.id, status=image.status)


class BodyReader:
    """A file-like ``read(n)`` over an iterable of byte strings, such as
    the body glanceclient returns for a download.

    The chunk store reads whole chunks; the body comes in pieces of
    glanceclient's size (1 MiB), which this joins with one copy.
    """

    def __init__(self, body):
        self._parts = iter(body)
        self._rest = b''

    def read(self, size=-1):
        if size is None or size < 0:
            size = float('inf')
        pieces, have = [], len(self._rest)
        if self._rest:
            pieces.append(self._rest)
        while have < size:
            part = next(self._parts, None)
            if part is None:
                break
            pieces.append(part)
            have += len(part)
        data = pieces[0] if len(pieces) == 1 else b''.join(pieces)
        if have <= size:
            self._rest = b''
            return data
        self._rest = data[size:]
        return data[:size]

    def close(self):
        """Give the HTTP connection back, also after a partial read."""
        close = getattr(self._parts, 'close', None)
        if close is not None:
            close()


def store_for(ctx):
    """The chunk store of the bank behind ``ctx.bank``, encrypting (when
    configured) with the key of the requester's project."""
    return chunk_store.ChunkStore.for_bank(
        ctx.bank.bank, project_id=ctx.context.project_id)


def save_data(glance, image_id, size, store, section, name=DATA,
              progress=None):
    """Stream the bytes of an active image into the chunk store.

    The bytes are checked against the digest Glance computed for them
    (:mod:`.image_download`), and the read that reaches their end fails
    on a mismatch, so a damaged download never becomes a manifest.

    :param size: the image's size, checked against what was read.
    :param progress: callable(bytes done, bytes in all).
    :returns: the chunk store's Manifest, stored at ``name`` in
        ``section``.
    :raises ImageDownloadCorrupt: when the bytes are not the image's.
    """
    reader = BodyReader(image_download.checked_data(glance, image_id))
    try:
        return store.write(reader, section, name, progress=progress,
                           size=size)
    finally:
        reader.close()


def copy_data(ctx, name=DATA, progress=None):
    """Copy the bytes saved at ``name`` in the checkpoint being copied
    (``ctx.source``) to the same name in the copy (``ctx.bank``), with the
    chunks the copy's bank lacks, encrypted (when configured) with the key
    of the requester's project.

    :param ctx: the ActivityContext of a ``copy_checkpoint`` operation.
    :param progress: callable(bytes done, bytes in all).
    :returns: the chunk store's Manifest of the copy.
    :raises ChunkCorruption: when a chunk of the source is missing or
        damaged.
    """
    return store_for(ctx).copy(ctx.source, name, ctx.bank,
                               progress=progress)


def create_image(glance, ctx, saved, name=None, visibility=None):
    """A new, empty image with the saved formats and properties, tagged
    with ``ctx``'s operation.

    It is created unprotected: :func:`finish_restore` protects it once its
    data is checked, so a failed restore can always delete it.

    :param saved: what :func:`describe` returned.
    :param name: the new image's name; the saved one by default.
    :param visibility: its visibility; by default the saved one, except
        that a public image comes back private (making an image public
        needs the cloud administrator's role, and should be asked for).
    """
    fields = {field: saved[field] for field in _COPIED_FIELDS
              if saved.get(field) is not None and field != 'protected'}
    fields.update(saved.get('properties') or {})
    fields.update(tagging.metadata(ctx))
    if name:
        fields['name'] = name
    if visibility:
        fields['visibility'] = visibility
    elif fields.get('visibility') == 'public':
        fields['visibility'] = 'private'
    return glance.images.create(**fields)


def upload_data(glance, image_id, size, store, section, name=DATA,
                progress=None):
    """Upload the bytes saved at ``name`` in ``section`` into a queued
    image and wait for it to be active.

    :param progress: callable(bytes done, bytes in all).
    :returns: the active image.
    :raises WaitTimeout, ResourceFailed: as :func:`waits.wait_for`.
    :raises ChunkCorruption: when a chunk is missing or damaged.
    """
    reader = store.open_reader(section, name)
    try:
        glance.images.upload(image_id, _Reported(reader, size, progress),
                             image_size=size)
    finally:
        reader.close()
    return wait_active(glance, image_id)


class _Reported:
    """A file-like reader that reports the bytes read from it."""

    def __init__(self, reader, size, progress):
        self._reader = reader
        self._size = size
        self._progress = progress
        self._done = 0

    def read(self, size=-1):
        data = self._reader.read(size)
        self._done += len(data)
        if self._progress:
            self._progress(self._done, self._size)
        return data


def wait_active(glance, image_id):
    return waits.wait_for('image %s' % image_id,
                          lambda: glance.images.get(image_id),
                          lambda image: image.status, goal='active',
                          failed=FAILED_STATUSES)


def check_restored(saved, image):
    """Compare what Glance computed for the restored bytes with what it
    had computed for the protected ones.

    :raises RestoredImageMismatch: naming the first difference.
    """
    def mismatch(reason):
        return RestoredImageMismatch(image=saved['id'], new_id=image.id,
                                     reason=reason)

    if saved.get('size') is not None and image.size != saved['size']:
        raise mismatch('its size is %s bytes, not %s' % (image.size,
                                                         saved['size']))
    if saved.get('checksum') and image.checksum and (
            image.checksum != saved['checksum']):
        raise mismatch('its checksum is %s, not %s' % (image.checksum,
                                                       saved['checksum']))
    if (saved.get('os_hash_value') and
            image.os_hash_algo == saved.get('os_hash_algo') and
            image.os_hash_value != saved['os_hash_value']):
        raise mismatch('its %s is %s, not %s' % (
            image.os_hash_algo, image.os_hash_value, saved['os_hash_value']))


def finish_restore(glance, saved, image):
    """Check the restored data, then protect the image if the original
    was protected.

    :raises RestoredImageMismatch:
    """
    check_restored(saved, image)
    if saved.get('protected'):
        glance.images.update(image.id, protected=True)


def tagged_images(glance, ctx):
    """Images ``ctx``'s operation created for its resource: those a
    revert must remove even when no id of theirs was recorded."""
    found = glance.images.list(filters={tagging.OPERATION_KEY:
                                        ctx.operation_id})
    return [image for image in found if tagging.is_tagged(dict(image), ctx)]


def find_image(glance, image_id):
    """:returns: the image, or None when there is none of that id."""
    try:
        return glance.images.get(image_id)
    except glance_exc.HTTPNotFound:
        return None


def delete_image(glance, image_id):
    """Delete an image, unprotecting it first; gone already is fine."""
    try:
        image = glance.images.get(image_id)
        if image.protected:
            glance.images.update(image_id, protected=False)
        glance.images.delete(image_id)
    except glance_exc.HTTPNotFound:
        return
    LOG.info('Deleted image %s', image_id)


def delete_created_images(glance, ctx, known_ids=()):
    """Delete the images ``ctx``'s operation created for its resource:
    ``known_ids`` and whatever carries its tags."""
    ids = {image_id for image_id in known_ids if image_id}
    ids.update(image.id for image in tagged_images(glance, ctx))
    for image_id in sorted(ids):
        delete_image(glance, image_id)
