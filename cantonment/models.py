"""Every model of cantonment, gathered so Django (and other apps) find them in `cantonment.models`.

Each lives in the package of its concept: `sites` (sites, their steps, stays, daily headcounts),
`weapons` (weapons and ammunition handed in, storage, custody, stock checks) and `inventory`
(equipment, its movements and handovers).
"""

from django.utils.translation import gettext_noop  # noqa: E402

from cantonment.inventory.models import *  # noqa: F403
from cantonment.sites.models import *  # noqa: F403
from cantonment.weapons.models import *  # noqa: F403
from core.audit import reason_template  # noqa: E402

# The reasons with figures cantonment's services write in the history (core.audit.reason_label).
reason_template(gettext_noop("check-in %(site)s"))
reason_template(gettext_noop("handover %(reference)s"))
reason_template(gettext_noop("in %(quantity)s %(counterpart)s"))  # a movement of stock
reason_template(gettext_noop("out %(quantity)s %(counterpart)s"))
