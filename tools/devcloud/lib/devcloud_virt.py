"""The test cloud's hypervisor: nova's fake driver, made to keep its word.

Two gaps of the upstream fake driver matter to a data-protection service:

* ``snapshot`` uploads nothing, so an image made by ``createImage`` stays
  ``queued`` for ever. Here the snapshot receives the bytes of the image
  the server was booted from (the fake "disk" never changes), so a restore
  from a server snapshot can be checked byte for byte against the original
  image. A server without an image gets a small fixed payload.
* the node UUID must survive a nova-compute restart, which
  ``FakeDriverWithoutFakeNodes`` already does through the local node
  identity file in ``state_path``.

Servers live in this process's memory: after nova-compute restarts they are
reported SHUTOFF, and a hard reboot brings them back.
"""
import tempfile

from nova import exception
from nova.compute import task_states
from nova.image import glance
from nova.virt import fake
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

# What a snapshot holds when the server was not booted from an image.
PLACEHOLDER_DISK = b'devcloud fake disk\n' * 64


class DevcloudFakeDriver(fake.FakeDriverWithoutFakeNodes):

    def __init__(self, virtapi, read_only=False):
        super().__init__(virtapi, read_only=read_only)
        self._image_api = glance.API()

    def snapshot(self, context, instance, image_id, update_task_state):
        if instance.uuid not in self.instances:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        update_task_state(task_state=task_states.IMAGE_PENDING_UPLOAD)
        update_task_state(task_state=task_states.IMAGE_UPLOADING,
                          expected_state=task_states.IMAGE_PENDING_UPLOAD)
        metadata = {'disk_format': 'raw', 'container_format': 'bare'}
        with tempfile.TemporaryFile() as disk:
            if instance.image_ref:
                source = self._image_api.get(context, instance.image_ref)
                metadata['disk_format'] = source.get('disk_format') or 'raw'
                metadata['container_format'] = (
                    source.get('container_format') or 'bare')
                self._image_api.download(context, instance.image_ref,
                                         data=disk)
            else:
                disk.write(PLACEHOLDER_DISK)
            disk.seek(0)
            LOG.info('Uploading fake disk of instance %s to image %s',
                     instance.uuid, image_id)
            self._image_api.update(context, image_id, metadata, data=disk,
                                   purge_props=False)
