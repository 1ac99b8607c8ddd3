"""Every change type, imported so that each registers itself (``handlers.changes.base.register_change_type``).

Add one import line per change type module.
"""
import handlers.changes.birth  # noqa: F401
import handlers.changes.death  # noqa: F401
import handlers.changes.disappearance  # noqa: F401
