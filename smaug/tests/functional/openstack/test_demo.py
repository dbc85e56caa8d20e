"""The README's demo (``tools/demo``): a server, its image and its volume
of real data, protected through smaug-all-in-one and the local cloud,
restored and found byte-identical."""
import re
import subprocess
import sys

from smaug.protection.plugins.openstack import tagging
from smaug.tests.fixtures import cloud as cloud_fixture
from smaug.tests.functional import test_all_in_one

DEMO = cloud_fixture.REPO / 'tools' / 'demo.py'
TIMEOUT = 600


def test_the_demo_restores_byte_identical_data_and_leaves_nothing(
        devcloud, tmp_path):
    result = subprocess.run(
        [sys.executable, str(DEMO), '--state-dir', str(tmp_path / 'demo'),
         '--port', str(test_all_in_one.free_port())],
        capture_output=True, text=True, timeout=TIMEOUT)
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert re.search(r'Restore \S+: success: server \S+ \(ACTIVE\)',
                     output), output
    assert 'Restored image: sha256' in output, output
    assert 'Restored volume: all of its 1 GiB byte-identical' in output
    assert 'Demo complete' in output
    collected = re.search(r'the bank holds (\d+) files, (\d+) bytes',
                          output)
    assert collected and int(collected.group(2)) < 1024 ** 2, output

    # What it made, protected and restored is gone from the cloud.
    glance, cinder, nova = (devcloud.glance(), devcloud.cinder(),
                            devcloud.nova())
    operations = re.findall(r'(?:Checkpoint|Restore) ([0-9a-f-]{36})',
                            output)
    assert len(operations) == 2, output  # the checkpoint, the restore
    assert [image.id for image in glance.images.list()
            if image.name.startswith('smaug-demo-') or
            image.get(tagging.OPERATION_KEY) in operations] == []
    assert [volume.id for volume in cinder.volumes.list()
            if (volume.name or '').startswith('smaug-demo-') or
            volume.metadata.get(tagging.OPERATION_KEY) in operations] == []
    assert [server.id for server in nova.servers.list()
            if server.name.startswith('smaug-demo-') or
            server.metadata.get(tagging.OPERATION_KEY) in operations] == []
    assert [backup.id for backup in cinder.backups.list()
            if (backup.metadata or {}).get(tagging.OPERATION_KEY)
            in operations] == []
