"""Run nova-compute with the test cloud's virt driver.

Nova imports compute drivers only from the ``nova.virt`` package
(``compute_driver = X.Y`` loads ``nova.virt.X.Y``). Extending that
package's search path with this directory lets
``compute_driver = devcloud_virt.DevcloudFakeDriver`` load
``devcloud_virt.py`` from here, without touching the installed nova.
"""
import os
import sys

import nova.virt

nova.virt.__path__.append(os.path.dirname(os.path.abspath(__file__)))

from nova.cmd import compute  # noqa: E402

if __name__ == '__main__':
    sys.exit(compute.main())
