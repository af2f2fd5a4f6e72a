"""Every model of reinsertion and reintegration, gathered for `ddr.models`: the person's choice
and profile (`profiles`), packages and entitlements (`packages`), payments and distributions
(`payments`), follow-up (`followup`)."""

from ddr.reintegration.followup.models import *  # noqa: F403
from ddr.reintegration.packages.models import *  # noqa: F403
from ddr.reintegration.payments.models import *  # noqa: F403
from ddr.reintegration.profiles.models import *  # noqa: F403
