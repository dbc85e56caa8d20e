"""Protection plugins for OpenStack resources: Cinder, Glance and Nova.

Each reaches its service through :meth:`ActivityContext.openstack_session`
(the requester, or the restore target, with Smaug's service token), waits
with :mod:`smaug.protection.waits`, and tags what it creates with
:mod:`.tagging` so that leftovers of any operation can be found.
"""
