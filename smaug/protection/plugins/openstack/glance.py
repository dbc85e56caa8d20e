"""Protection of Glance images through the bank's chunk store.

Protect saves the image's description (``metadata``) and streams its bytes
into the chunk store (``data``, a manifest): a re-protect of an unchanged
image stores only a new manifest, since every chunk is already there.
Restore creates a new image with the saved formats and properties, uploads
the bytes back, and accepts it only when Glance computes the same digests
for them as it did for the original. Verify reads and checks every chunk
without touching Glance; delete removes the manifest, and the chunk
store's garbage collection frees the chunks no other manifest needs.
Copy writes the copy's own manifest, after storing in its bank the chunks
it lacks (the engine has copied the description): the copy restores from
its bank alone.
"""
from smaug.clients import factory
from smaug.protection import activity
from smaug.protection import plugin
from smaug.protection import resource_types
from smaug.protection.bank import base as bank_base
from smaug.protection.plugins.openstack import image_data

METADATA = 'metadata'

RESTORE_SCHEMA = {
    'type': 'object',
    'properties': {
        'name': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                 'description': 'Name of the restored image; the '
                                'original name by default.'},
        'visibility': {
            'type': 'string',
            'enum': ['private', 'shared', 'community', 'public'],
            'description': 'Visibility of the restored image; the '
                           "original's by default, except that a public "
                           'image comes back private unless public is '
                           'asked for (it needs the admin role).'},
    },
    'additionalProperties': False,
}

SAVED_INFO_SCHEMA = {
    'type': 'object',
    'properties': {
        'name': {'type': ['string', 'null']},
        'disk_format': {'type': 'string'},
        'container_format': {'type': 'string'},
        'size': {'type': 'integer'},
        'checksum': {'type': ['string', 'null']},
        'os_hash_algo': {'type': ['string', 'null']},
        'os_hash_value': {'type': ['string', 'null']},
    },
}


class ImageDataDamaged(bank_base.BankError):
    message = ('The protected data of image %(image)s is damaged: '
               '%(reason)s')


def _glance(ctx):
    return factory.glance(ctx.openstack_session())


class ProtectImage(activity.ParallelActivity):
    """Describe the image (start) and stream its bytes into the chunk
    store (run)."""

    def start(self, ctx):
        image = _glance(ctx).images.get(ctx.resource.id)
        image_data.check_protectable(image)
        saved = image_data.describe(image)
        ctx.bank.put_json(METADATA, saved)
        return {'size': saved['size']}

    def run(self, ctx, started):
        manifest = image_data.save_data(
            _glance(ctx), ctx.resource.id, started['size'],
            image_data.store_for(ctx), ctx.bank, progress=ctx.progress)
        return {'size': manifest.size, 'digest': manifest.digest}

    def revert(self, ctx, started):
        image_data.store_for(ctx).delete(ctx.bank, image_data.DATA)
        ctx.bank.delete_object(METADATA)


class RestoreImage(activity.ParallelActivity):
    """Create the new image (start), then upload the saved bytes and
    check them (run)."""

    def start(self, ctx):
        return {'image_id': self._create(_glance(ctx), ctx,
                                         ctx.bank.get_json(METADATA))}

    def run(self, ctx, started):
        glance = _glance(ctx)
        saved = ctx.bank.get_json(METADATA)
        image_id = started['image_id']
        image = image_data.find_image(glance, image_id)
        if image is None or image.status not in ('queued', 'active'):
            # A run lost with its agent left the upload half done, and an
            # image takes one upload only: start again with a new one.
            image_data.delete_image(glance, image_id)
            image_id = self._create(glance, ctx, saved)
            image = glance.images.get(image_id)
        if image.status == 'queued':
            image = image_data.upload_data(
                glance, image_id, saved['size'], image_data.store_for(ctx),
                ctx.bank, progress=ctx.progress)
        image_data.finish_restore(glance, saved, image)
        return {'image_id': image_id}

    def revert(self, ctx, started):
        image_data.delete_created_images(
            _glance(ctx), ctx, [(started or {}).get('image_id')])

    @staticmethod
    def _create(glance, ctx, saved):
        return image_data.create_image(
            glance, ctx, saved, name=ctx.parameters.get('name'),
            visibility=ctx.parameters.get('visibility')).id


class RestoredImageId(activity.SyncActivity):
    """Hand the new image's id to the resources that use it."""

    def execute(self, ctx):
        return {'new_id': ctx.parallel_result['image_id']}


class VerifyImage(activity.ParallelActivity):
    """Read and check every chunk of the saved image."""

    def run(self, ctx, started):
        image = '%s (%s)' % (ctx.resource.name or ctx.resource.id,
                             ctx.resource.id)
        try:
            saved = ctx.bank.get_json(METADATA)
            manifest = image_data.store_for(ctx).verify(ctx.bank,
                                                        image_data.DATA)
        except (bank_base.BankCorruption,
                bank_base.BankObjectNotFound) as error:
            raise ImageDataDamaged(image=image, reason=error)
        if saved.get('size') is not None and manifest.size != saved['size']:
            raise ImageDataDamaged(
                image=image, reason='its manifest holds %s bytes where the '
                                    'image had %s' % (manifest.size,
                                                      saved['size']))
        return {'size': manifest.size}


class CopyImage(activity.ParallelActivity):
    """Copy the saved bytes into the copy's bank through the chunk
    store."""

    def run(self, ctx, started):
        manifest = image_data.copy_data(ctx, progress=ctx.progress)
        return {'size': manifest.size,
                'bytes_written': manifest.stats.bytes_written}

    def revert(self, ctx, started):
        image_data.store_for(ctx).delete(ctx.bank, image_data.DATA)


class DeleteImageData(activity.SyncActivity):
    """Drop the image's manifest; its chunks go with the next garbage
    collection unless another manifest needs them."""

    def execute(self, ctx):
        image_data.store_for(ctx).delete(ctx.bank, image_data.DATA)


class GlanceImagePlugin(plugin.ProtectionPlugin):
    """Images, protected by their bytes in the bank's chunk store."""

    supported_resource_types = (resource_types.IMAGE,)
    capabilities = frozenset((plugin.Capability.INCREMENTAL,
                              plugin.Capability.LIVE,
                              plugin.Capability.COPY))
    backend = 'glance'
    restore_schema = RESTORE_SCHEMA
    saved_info_schema = SAVED_INFO_SCHEMA

    def get_protect_work(self, resource):
        return activity.ResourceWork(parallel=ProtectImage())

    def get_restore_work(self, resource):
        return activity.ResourceWork(parallel=RestoreImage(),
                                     sync=RestoredImageId())

    def get_verify_work(self, resource):
        return activity.ResourceWork(parallel=VerifyImage())

    def get_delete_work(self, resource):
        return activity.ResourceWork(sync=DeleteImageData())

    def get_copy_work(self, resource):
        return activity.ResourceWork(parallel=CopyImage())
