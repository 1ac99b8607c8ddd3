"""Every change type, imported so that each registers itself (``handlers.changes.base.register_change_type``).

Add one import line per change type module.
"""

import handlers.changes.address_setting  # noqa: F401
import handlers.changes.alias  # noqa: F401
import handlers.changes.birth  # noqa: F401
import handlers.changes.change_cancellation  # noqa: F401
import handlers.changes.clerical_correction  # noqa: F401
import handlers.changes.death  # noqa: F401
import handlers.changes.disappearance  # noqa: F401
import handlers.changes.ex_officio_correction  # noqa: F401
import handlers.changes.foreign_move_in_30_46  # noqa: F401
import handlers.changes.foreign_status_acquired_30_47  # noqa: F401
import handlers.changes.former_surname  # noqa: F401
import handlers.changes.household_change  # noqa: F401
import handlers.changes.immigration_notice  # noqa: F401
import handlers.changes.koseki_notice  # noqa: F401
import handlers.changes.minor_correction  # noqa: F401
import handlers.changes.move_in  # noqa: F401
import handlers.changes.move_in_notice_receipt  # noqa: F401
import handlers.changes.move_out  # noqa: F401
import handlers.changes.move_within  # noqa: F401
import handlers.changes.my_number_change  # noqa: F401
import handlers.changes.nationality_loss  # noqa: F401
import handlers.changes.naturalization  # noqa: F401
import handlers.changes.resident_code_change  # noqa: F401
import handlers.changes.resident_code_correction  # noqa: F401
import handlers.changes.resident_code_issue  # noqa: F401
