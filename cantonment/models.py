"""Every model of cantonment, gathered so Django (and other apps) find them in `cantonment.models`.

Each lives in the package of its concept: `sites` (sites, their steps, stays, daily headcounts),
`weapons` (weapons and ammunition handed in, storage, custody, stock checks) and `inventory`
(equipment, its movements and handovers).
"""

from cantonment.inventory.models import *  # noqa: F403
from cantonment.sites.models import *  # noqa: F403
from cantonment.weapons.models import *  # noqa: F403
