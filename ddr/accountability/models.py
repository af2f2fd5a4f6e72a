"""Every model of accountability to the people in the register, gathered for `ddr.models`:
grievances and complaints (`grievances`), appeals against decisions (`appeals`), consent and signed
terms (`consent`)."""

from ddr.accountability.appeals.models import *  # noqa: F403
from ddr.accountability.consent.models import *  # noqa: F403
from ddr.accountability.grievances.models import *  # noqa: F403
