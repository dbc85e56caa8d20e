"""A process that races others for leases of a file-system bank."""
from smaug.protection.bank import filesystem
from smaug.tests.unit.protection.bank import testbanks


def race(bank_path, owner, names, barrier, results):
    """Try to take every lease of ``names``; put (owner, won) in results."""
    plugin = filesystem.FileSystemBankPlugin(
        testbanks.file_system_conf(bank_path))
    barrier.wait(timeout=60)
    won = [name for name in names if plugin.acquire_lease(name, owner, 600)]
    results.put((owner, won))
