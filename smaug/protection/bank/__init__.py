"""Banks: the object stores that hold checkpoints, behind one interface.

``base`` defines the plugin interface, ``bank`` the checksummed wrapper
every object goes through, ``checkpoint_layout`` where a checkpoint's
objects live, and ``filesystem``, ``swift`` and ``s3`` the plugins.
"""
