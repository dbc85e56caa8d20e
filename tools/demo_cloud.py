"""The local cloud as the demo sees it: its demo user's clients, the data
the demo puts in, and the checks that read it back.

Everything the demo makes or restores is remembered and deleted at the
end, whatever happened.
"""
import hashlib
import io
import json
import os
import pathlib
import sys

from cinderclient import client as cinder_client
from cinderclient import exceptions as cinder_exceptions
from glanceclient import client as glance_client
from glanceclient import exc as glance_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from novaclient import client as nova_client
from novaclient import exceptions as nova_exceptions

from smaug.protection.plugins.openstack import tagging
from smaug.tests.fixtures import volume_readback
from smaug.tests.fixtures import waiting

REPO = pathlib.Path(__file__).resolve().parents[1]
STATE = pathlib.Path(os.environ.get('SMAUG_DEVCLOUD_DIR') or
                     REPO / '.devcloud')
MiB = 1024 ** 2
#: The status :func:`_wait_status` sees once an object is deleted.
GONE = 'gone'
TIMEOUT = 300
CINDER_MICROVERSION = '3.60'
NOVA_MICROVERSION = '2.90'
FLAVOR = 'devcloud.tiny'


class Cloud:
    """The running local cloud, acting as its demo user."""

    def __init__(self, description):
        self.auth_url = description['auth_url']
        self.region = description['region']
        self.smaug_password = description['service_users']['smaug']
        demo = description['clouds']['demo']
        self.session = ks_session.Session(auth=v3.Password(
            auth_url=self.auth_url, username=demo['username'],
            password=demo['password'], project_name=demo['project_name'],
            user_domain_id='default', project_domain_id='default'))
        self.glance = glance_client.Client('2', session=self.session,
                                           region_name=self.region)
        self.cinder = cinder_client.Client(CINDER_MICROVERSION,
                                           session=self.session,
                                           region_name=self.region)
        self.nova = nova_client.Client(NOVA_MICROVERSION,
                                       session=self.session,
                                       region_name=self.region)
        self._made = []

    @classmethod
    def running(cls):
        with open(STATE / 'cloud.json') as f:
            return cls(json.load(f))

    def service_options(self):
        """Smaug's service user, as ``[service_credentials]`` and
        ``[keystone_authtoken]`` options."""
        return {'auth_type': 'password', 'auth_url': self.auth_url,
                'username': 'smaug', 'password': self.smaug_password,
                'project_name': 'service', 'user_domain_id': 'default',
                'project_domain_id': 'default'}

    def token(self):
        return self.session.get_token()

    def project_id(self):
        return self.session.get_project_id()

    # What the demo makes

    def image_of(self, name, data):
        """An active raw image of ``data``."""
        image = self.glance.images.create(name=name, disk_format='raw',
                                          container_format='bare')
        self._made.append((self.delete_image, image.id))
        self.glance.images.upload(image.id, io.BytesIO(data))
        return self.glance.images.get(image.id)

    def volume_of(self, name, data):
        """An available 1 GiB volume whose first bytes are ``data``."""
        source = self.image_of(name + '-source', data)
        volume = self.cinder.volumes.create(1, name=name, imageRef=source.id)
        self._made.append((self.delete_volume, volume.id))
        volume = self._volume_when_available(volume.id)
        self.delete_image(source.id)
        return volume

    def server_of(self, name, image_id, volume):
        """An active server booted from the image, with ``volume``
        attached. The cloud has no network: the server has none."""
        server = self.nova.servers.create(
            name, image=image_id, flavor=self.nova.flavors.find(name=FLAVOR),
            nics='none')
        self._made.append((self.delete_server, server.id))
        _wait_status('server %s' % server.id,
                     lambda: self.nova.servers.get(server.id).status,
                     'ACTIVE')
        self.nova.volumes.create_server_volume(server.id, volume.id)
        _wait_status('volume %s' % volume.id,
                     lambda: self.cinder.volumes.get(volume.id).status,
                     'in-use')
        return self.nova.servers.get(server.id)

    def made_by(self, operation_id):
        """{'images', 'volumes', 'servers': [...]}: what Smaug's operation
        made, found by the tag it puts on everything it creates."""
        made = {
            'images': [image for image in self.glance.images.list(
                filters={tagging.OPERATION_KEY: operation_id})
                if image.get(tagging.OPERATION_KEY) == operation_id],
            'volumes': self.cinder.volumes.list(search_opts={
                'metadata': {tagging.OPERATION_KEY: operation_id}}),
            'servers': [server for server in self.nova.servers.list()
                        if server.metadata.get(tagging.OPERATION_KEY) ==
                        operation_id],
        }
        # Deleted newest first: servers before the volumes they use.
        self._made.extend([(self.delete_image, image.id)
                           for image in made['images']] +
                          [(self.delete_volume, volume.id)
                           for volume in made['volumes']] +
                          [(self.delete_server, server.id)
                           for server in made['servers']])
        return made

    def attached_volumes(self, server_id):
        return [attachment.volumeId for attachment in
                self.nova.volumes.get_server_volumes(server_id)]

    # Reading it back

    def image_digest(self, image_id):
        """SHA-256 of the image's bytes, as Glance serves them."""
        digest = hashlib.sha256()
        for chunk in self.glance.images.data(image_id):
            digest.update(chunk)
        return digest.hexdigest()

    def check_volume_holds(self, volume, data, name):
        """Exit unless ``volume`` holds ``data`` then zeros to its end."""
        differences = volume_readback.differences(
            self.glance, self.cinder, volume, data, name,
            made=lambda image_id: self._made.append((self.delete_image,
                                                     image_id)))
        if differences:
            raise SystemExit('The restored %s' % differences)

    # Deleting it

    def delete_image(self, image_id):
        try:
            self.glance.images.delete(image_id)
        except glance_exceptions.HTTPNotFound:
            pass

    def delete_server(self, server_id):
        _delete_until_gone('server %s' % server_id, self.nova.servers,
                           server_id, nova_exceptions.NotFound)

    def delete_volume(self, volume_id):
        _delete_until_gone('volume %s' % volume_id, self.cinder.volumes,
                           volume_id, cinder_exceptions.NotFound)

    def remove_everything_made(self):
        """Delete whatever the demo made or restored, newest first."""
        while self._made:
            delete, object_id = self._made.pop()
            try:
                delete(object_id)
            except Exception as error:
                print('Could not delete %s: %s' % (object_id, error),
                      file=sys.stderr)

    def _volume_when_available(self, volume_id):
        _wait_status('volume %s' % volume_id,
                     lambda: self.cinder.volumes.get(volume_id).status,
                     'available')
        return self.cinder.volumes.get(volume_id)


def _delete_until_gone(what, manager, object_id, not_found):
    """Delete the object; return once it is gone.

    :raises RuntimeError: when its deletion fails.
    """
    def status():
        try:
            return manager.get(object_id).status
        except not_found:
            return GONE

    try:
        manager.delete(object_id)
    except not_found:
        return
    _wait_status(what, status, GONE)


def _wait_status(what, status, goal):
    """Wait until ``status()`` is ``goal``.

    :raises RuntimeError: when it is an error status instead.
    """
    waiting.wait_for('%s to be %s' % (what, goal), lambda: (
        waiting.settled(status(), goal)), TIMEOUT)

