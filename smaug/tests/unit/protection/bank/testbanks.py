"""Banks for tests: file-system banks in given directories, a fake clock."""
import os

from oslo_config import cfg

from smaug.protection.bank import filesystem


class FakeClock:
    """Seconds since the epoch that pass only when a test says so."""

    def __init__(self, now=1_700_000_000.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


def file_system_conf(path):
    """A provider's ConfigOpts whose [file_system_bank] is at ``path``."""
    conf = cfg.ConfigOpts()
    conf(args=[], default_config_files=[])
    filesystem.FileSystemBankPlugin.register_opts(conf)
    conf.set_override('bank_path', str(path), group='file_system_bank')
    return conf


def stored_sizes(bank_path):
    """{key: bytes on disk} of every object of the file-system bank at
    ``bank_path``: what a test or benchmark compares to see what an
    operation wrote."""
    top = os.path.join(bank_path, 'objects')
    found = {}
    for directory, _, files in os.walk(top):
        for file_name in files:
            path = os.path.join(directory, file_name)
            found[os.path.relpath(path, top)] = os.path.getsize(path)
    return found
