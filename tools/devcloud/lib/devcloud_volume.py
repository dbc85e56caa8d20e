"""Cinder volume driver of the test cloud: one sparse file per volume.

The machines that run the test cloud have no device-mapper (no LVM), no
NFS client and no iSCSI initiator, so no upstream driver can keep real
bytes. This driver keeps each volume and each snapshot as a sparse file and
hands it out through os-brick's ``local`` connector, so every data path of
cinder works on real bytes: volume from image, upload to image, backup and
restore (through cinder-backup), clone, snapshot and revert, and attachment
to a nova server.

One difference from a block device matters: cinder-backup opens the restore
target with ``open(path, 'wb')`` and ``qemu-img convert`` recreates its
target, both of which truncate a file. The file is therefore grown back to
the volume's size whenever a connection ends.

Configuration (in the backend's section)::

    volume_driver = devcloud_volume.FileVolumeDriver
    file_volume_dir = /path/to/volumes
"""
import os

from cinder import exception
from cinder.volume import configuration
from cinder.volume import driver
from oslo_config import cfg
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3

file_opts = [
    cfg.StrOpt('file_volume_dir',
               help='Directory holding one sparse file per volume and '
                    'per snapshot.'),
]

cfg.CONF.register_opts(file_opts, group=configuration.SHARED_CONF_GROUP)


class FileVolumeDriver(driver.VolumeDriver):
    """Volumes and snapshots as sparse files, attached as local paths."""

    VERSION = '1.0.0'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.configuration.append_config_values(file_opts)
        self.backend_name = (
            self.configuration.safe_get('volume_backend_name') or 'file')

    @property
    def _root(self):
        return self.configuration.file_volume_dir

    def _path(self, name):
        return os.path.join(self._root, name)

    def local_path(self, volume):
        return self._path(volume.name)

    def _grow(self, path, size_gb):
        """Give the file at ``path`` at least ``size_gb`` GiB, sparsely."""
        wanted = size_gb * GiB
        if not os.path.exists(path) or os.path.getsize(path) < wanted:
            with open(path, 'ab') as f:
                f.truncate(wanted)

    def _copy(self, source, target, size_gb):
        self._execute('cp', '--sparse=always', source, target)
        self._grow(target, size_gb)

    def do_setup(self, context):
        os.makedirs(self._root, exist_ok=True)

    def check_for_setup_error(self):
        if not os.access(self._root, os.W_OK):
            raise exception.VolumeBackendAPIException(
                data='file_volume_dir %s is not writable' % self._root)

    def _update_volume_stats(self):
        fs = os.statvfs(self._root)
        self._stats = {
            'volume_backend_name': self.backend_name,
            'vendor_name': 'Smaug devcloud',
            'driver_version': self.VERSION,
            'storage_protocol': 'local',
            'total_capacity_gb': fs.f_blocks * fs.f_frsize // GiB,
            'free_capacity_gb': fs.f_bavail * fs.f_frsize // GiB,
            'reserved_percentage': 0,
            'thin_provisioning_support': True,
            'thick_provisioning_support': False,
            'multiattach': False,
        }

    # Volumes and snapshots.

    def create_volume(self, volume):
        path = self.local_path(volume)
        if os.path.exists(path):
            os.unlink(path)
        self._grow(path, volume.size)

    def delete_volume(self, volume):
        self._remove(self.local_path(volume))

    def extend_volume(self, volume, new_size):
        self._grow(self.local_path(volume), new_size)

    def create_cloned_volume(self, volume, src_vref):
        self._copy(self.local_path(src_vref), self.local_path(volume),
                   volume.size)

    def create_snapshot(self, snapshot):
        self._copy(self.local_path(snapshot.volume),
                   self._path(snapshot.name), snapshot.volume_size)

    def delete_snapshot(self, snapshot):
        self._remove(self._path(snapshot.name))

    def create_volume_from_snapshot(self, volume, snapshot):
        self._copy(self._path(snapshot.name), self.local_path(volume),
                   volume.size)

    def revert_to_snapshot(self, context, volume, snapshot):
        self._copy(self._path(snapshot.name), self.local_path(volume),
                   volume.size)

    @staticmethod
    def _remove(path):
        try:
            os.unlink(path)
        except FileNotFoundError:
            LOG.info('%s was already gone', path)

    # Exports and connections: a local path needs no export.

    def ensure_export(self, context, volume):
        pass

    def create_export(self, context, volume, connector):
        pass

    def remove_export(self, context, volume):
        pass

    def create_export_snapshot(self, context, snapshot, connector):
        pass

    def remove_export_snapshot(self, context, snapshot):
        pass

    def initialize_connection(self, volume, connector, **kwargs):
        return {'driver_volume_type': 'local',
                'data': {'device_path': self.local_path(volume)}}

    def initialize_connection_snapshot(self, snapshot, connector, **kwargs):
        return {'driver_volume_type': 'local',
                'data': {'device_path': self._path(snapshot.name)}}

    def terminate_connection(self, volume, connector, **kwargs):
        path = self.local_path(volume)
        if os.path.exists(path):
            self._grow(path, volume.size)

    def terminate_connection_snapshot(self, snapshot, connector, **kwargs):
        pass
