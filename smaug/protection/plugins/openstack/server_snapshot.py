"""The live snapshot of a server booted from an image, for the Nova plugin.

A server booted from an image keeps its root disk on the hypervisor, where
only Nova can read it. Nova's ``createImage`` copies that disk into a new
Glance image while the server runs; its bytes are then streamed into the
chunk store like any image's, and the temporary image is deleted. A
restore creates an image from the saved bytes for the new server to boot
from.

The Nova plugin calls, from its activities:

- :func:`save_server_disk` in its protect ``run`` (on the work queue: it
  waits for the snapshot and copies the whole disk), saving the result
  with the server's definition;
- :func:`revert_server_disk` in its protect ``revert``;
- :func:`restore_server_image` in its restore's ``run`` (on the work
  queue too: it uploads the whole disk), before the server boots, and
  :func:`image_data.delete_created_images` in that activity's revert.

Everything created carries the operation's tags (:mod:`.tagging`), so a
revert finds the temporary image even when the agent that made it died.
"""
from smaug.clients import factory
from smaug.protection.plugins.openstack import image_data
from smaug.protection.plugins.openstack import tagging


def save_server_disk(ctx, server_id, section, name, progress=None):
    """Snapshot the server with ``createImage`` and save the snapshot's
    bytes at ``name`` in ``section``; the snapshot image is deleted
    whatever happens.

    :param ctx: the server's ActivityContext (the session, and the tags
        the snapshot image gets).
    :param section: the writable BankSection the manifest goes to.
    :param progress: callable(bytes done, bytes in all).
    :returns: a JSON dict: ``image``, the snapshot's description (as
        :func:`image_data.describe` makes it, for
        :func:`restore_server_image`), and the manifest's ``size`` and
        ``digest`` (see :attr:`.Manifest.digest`: not the SHA-256 of the
        disk's bytes).
    :raises WaitTimeout, ResourceFailed: when the snapshot does not become
        active.
    """
    session = ctx.openstack_session()
    nova, glance = factory.nova(session), factory.glance(session)
    image_id = nova.servers.create_image(
        server_id, tagging.name(ctx, 'snapshot'),
        metadata=tagging.metadata(ctx))
    try:
        image = image_data.wait_active(glance, image_id)
        manifest = image_data.save_data(
            glance, image_id, image.size, image_data.store_for(ctx),
            section, name=name, progress=progress)
    finally:
        image_data.delete_image(glance, image_id)
    return {'image': image_data.describe(image), 'size': manifest.size,
            'digest': manifest.digest}


def revert_server_disk(ctx, section, name):
    """Undo :func:`save_server_disk`, finished or not: delete the
    snapshot images the operation made of the server, and the manifest."""
    image_data.delete_created_images(
        factory.glance(ctx.openstack_session()), ctx)
    image_data.store_for(ctx).delete(section, name)


def restore_server_image(ctx, saved, section, name, image_name=None,
                         progress=None):
    """A new image with the bytes :func:`save_server_disk` saved, active
    and checked, for the restored server to boot from.

    A failure deletes the half-made image before raising; once it has
    returned, :func:`image_data.delete_created_images` (with ``ctx``)
    removes it.

    :param saved: the ``image`` of :func:`save_server_disk`'s result.
    :param progress: callable(bytes done, bytes in all).
    :returns: the new image's id.
    :raises RestoredImageMismatch: when Glance computes other digests.
    """
    glance = factory.glance(ctx.openstack_session())
    image = image_data.create_image(glance, ctx, saved, name=image_name)
    try:
        active = image_data.upload_data(glance, image.id, saved['size'],
                                        image_data.store_for(ctx), section,
                                        name=name, progress=progress)
        image_data.finish_restore(glance, saved, active)
    except Exception:
        image_data.delete_image(glance, image.id)
        raise
    return image.id
