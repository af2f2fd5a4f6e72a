"""Every model of the register, gathered here so Django (and other apps) find them in `ddr.models`.

Each model lives in the package of its concept: `registration` (people, documents, weapons declared,
the register tally), `lists` (armed groups and the lists they submit), `screening`, `eligibility`
`duplicates`, `reintegration` (choices, profiles, packages, payments, follow-up) and `accountability`
(grievances, appeals, consent).
"""

from ddr.accountability.models import *  # noqa: F403
from ddr.duplicates.models import *  # noqa: F403
from ddr.eligibility.models import *  # noqa: F403
from ddr.lists.models import *  # noqa: F403
from ddr.registration.models import *  # noqa: F403
from ddr.reintegration.models import *  # noqa: F403
from ddr.screening.models import *  # noqa: F403
