"""Protect and restore real data with Smaug on one node.

The demo starts the local OpenStack cloud of ``tools/devcloud`` (its first
start installs it, which takes a few minutes), then ``smaug-all-in-one``
on embedded defaults (SQLite, in-process messaging, a file-system bank)
behind the cloud's Keystone. As the cloud's demo user, through Smaug's
REST API, it:

1. makes a server booted from an image of random bytes, with a volume of
   random bytes attached;
2. protects the server into a checkpoint: Smaug finds its image and
   volume, puts the image's bytes into the bank's chunk store
   (deduplicated, compressed, encrypted), backs the volume up with Cinder
   backup and saves the server's definition;
3. deletes the originals, then restores the checkpoint: a new server,
   booted from the restored image, with the restored volume attached;
4. reads the restored image and volume back through Glance and Cinder and
   checks that they hold the very same bytes;
5. deletes the checkpoint, which frees its chunks, and what it restored.

Smaug's state lives under ``--state-dir`` (default ./state/demo), removed
first so that every run starts clean. At the end the server stops, and so
does the cloud if the demo started it, unless --keep-running is given.
"""
import argparse
import base64
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import uuid

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / 'tools'))

from demo_cloud import Cloud  # noqa: E402
from demo_cloud import MiB  # noqa: E402
from demo_smaug import SmaugServer  # noqa: E402

from smaug.tests.fixtures import waiting  # noqa: E402

DEVCLOUD = REPO / 'tools' / 'devcloud' / 'devcloud'
PROVIDER_ID = '5f0b6c3e-2d71-4c39-9a8e-7d1c0e4b2a96'
IMAGE_BYTES = 24 * MiB
VOLUME_BYTES = 8 * MiB

PROVIDER = """[provider]
id = {provider_id}
name = Demo
description = Images in the chunk store, volumes by Cinder backup, servers.
enabled = true
bank = file-system
plugin = glance
plugin = cinder-backup
plugin = nova

[file_system_bank]
bank_path = {bank}
"""


def start_cloud():
    """Bring the local cloud up; True when it was not running before."""
    was_down = subprocess.run([str(DEVCLOUD), 'status'],
                              capture_output=True).returncode != 0
    if was_down:
        print('Starting the local OpenStack cloud (the first start installs '
              'it: a few minutes)...', flush=True)
    # Its progress (on stderr) is worth showing only when it starts.
    subprocess.run([str(DEVCLOUD), 'up'], check=True,
                   stdout=subprocess.DEVNULL,
                   stderr=None if was_down else subprocess.DEVNULL)
    return was_down


def write_config(state, port, cloud):
    """smaug.conf and the demo provider under ``state``; its path."""
    shutil.rmtree(state, ignore_errors=True)
    providers = state / 'providers.d'
    providers.mkdir(parents=True)
    (providers / 'demo.conf').write_text(PROVIDER.format(
        provider_id=PROVIDER_ID, bank=state / 'bank'))
    service = cloud.service_options()
    sections = {
        'DEFAULT': {'state_path': state},
        'api': {'bind_port': port, 'auth_strategy': 'keystone'},
        'protection': {'provider_config_dir': providers},
        'keystone_authtoken': dict(service,
                                   www_authenticate_uri=cloud.auth_url,
                                   region_name=cloud.region),
        'service_credentials': service,
        'clients': {'region_name': cloud.region},
        # A file-system bank lists what it holds at once: the collection
        # after a deletion needs no margin for lagging listings.
        'chunk_store': {'encryption_key': base64.b64encode(
            os.urandom(32)).decode(), 'gc_settle_seconds': 0,
            'gc_min_age_seconds': 0},
    }
    config = state / 'smaug.conf'
    config.write_text(''.join('[%s]\n%s\n' % (section, ''.join(
        '%s = %s\n' % item for item in options.items()))
        for section, options in sections.items()))
    return config


def bank_usage(bank):
    """(files, bytes) the bank holds."""
    files = [path for path in bank.rglob('*') if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def walk_through(smaug, cloud, name, bank):
    image_data, volume_data = os.urandom(IMAGE_BYTES), os.urandom(
        VOLUME_BYTES)
    image = cloud.image_of(name + '-image', image_data)
    volume = cloud.volume_of(name + '-volume', volume_data)
    server = cloud.server_of(name + '-server', image.id, volume)
    print('Made server %s, booted from image %s (%d MiB of random bytes), '
          'with volume %s attached (1 GiB, its first %d MiB random)' % (
              server.id, image.id, IMAGE_BYTES // MiB, volume.id,
              VOLUME_BYTES // MiB))

    plan = smaug.create_plan(PROVIDER_ID, name, [{
        'id': server.id, 'type': 'OS::Nova::Server', 'name': server.name}])
    checkpoint = smaug.protect(PROVIDER_ID, plan['id'])
    files, size = bank_usage(bank)
    print('Checkpoint %s: %s; the plan names the server, Smaug found what '
          'it depends on:\n%s\nThe bank holds %d files, %.1f MiB (the '
          'image\'s bytes, encrypted; the volume is in a Cinder backup)' % (
              checkpoint['id'], checkpoint['status'], '\n'.join(
                  '  %s: %s' % item for item in sorted(
                      checkpoint['resources_status'].items())),
              files, size / MiB))

    cloud.delete_server(server.id)
    cloud.delete_volume(volume.id)
    cloud.delete_image(image.id)
    print('Deleted the original server, volume and image')

    restore = smaug.restore(PROVIDER_ID, checkpoint['id'])
    made = cloud.made_by(restore['id'])
    if [len(made[kind]) for kind in ('servers', 'volumes', 'images')] != [
            1, 1, 1]:
        raise SystemExit('The restore made %s' % made)
    (new_server,), (new_volume,), (new_image,) = (
        made['servers'], made['volumes'], made['images'])
    print('Restore %s: %s: server %s (%s), booted from image %s, with '
          'volume %s attached' % (
              restore['id'], restore['status'], new_server.id,
              new_server.status, new_server.image['id'], new_volume.id))
    if (new_server.status, new_server.image['id'],
            cloud.attached_volumes(new_server.id)) != (
            'ACTIVE', new_image.id, [new_volume.id]):
        raise SystemExit('The restored server is not as it was: %s'
                         % new_server.to_dict())

    found = cloud.image_digest(new_image.id)
    if found != hashlib.sha256(image_data).hexdigest():
        raise SystemExit('The restored image differs: sha256 %s' % found)
    print('Restored image: sha256 %s..., byte-identical to the original'
          % found[:16])
    cloud.delete_server(new_server.id)
    cloud.check_volume_holds(cloud.cinder.volumes.get(new_volume.id),
                             volume_data, name)
    print('Restored volume: all of its 1 GiB byte-identical to the '
          'original (read back through Cinder and Glance)')

    smaug.delete_checkpoint(PROVIDER_ID, checkpoint['id'])
    files, size = waiting.wait_for(
        'the chunks to be collected',
        lambda: bank_usage(bank) if bank_usage(bank)[1] < MiB else None, 60)
    print('Deleted checkpoint %s: its chunks were collected, the bank '
          'holds %d files, %d bytes' % (checkpoint['id'], files, size))
    print('Demo complete: Smaug protected a server with %d MiB of real '
          'data, restored it after the originals were deleted, and the '
          'restored image and volume are byte-identical to them.' % (
              (IMAGE_BYTES + VOLUME_BYTES) // MiB))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--keep-running', action='store_true',
                        help='leave the server (and the cloud) running')
    parser.add_argument('--state-dir', type=pathlib.Path,
                        default=REPO / 'state' / 'demo')
    parser.add_argument('--port', type=int, default=8799)
    args = parser.parse_args()
    state = args.state_dir.resolve()
    cloud_started = start_cloud()
    cloud = Cloud.running()
    name = 'smaug-demo-%s' % uuid.uuid4().hex[:8]
    server = SmaugServer(write_config(state, args.port, cloud), args.port,
                         cloud)
    try:
        server.start(state / 'smaug.log')
        print('smaug-all-in-one serves %s (log: %s)' % (
            server.url, state / 'smaug.log'))
        walk_through(server, cloud, name, state / 'bank')
    except (TimeoutError, RuntimeError) as error:
        # A wait that gave up, an object that went to an error status.
        raise SystemExit('The demo stopped: %s' % error)
    finally:
        cloud.remove_everything_made()
        if not args.keep_running:
            server.stop()
            if cloud_started:
                subprocess.run([str(DEVCLOUD), 'down'], check=True,
                               stdout=subprocess.DEVNULL)
    if args.keep_running:
        print('Still serving (pid %d); stop it with: kill %d' % (
            server.pid, server.pid))


if __name__ == '__main__':
    main()
