"""Every model of the register, gathered here so Django (and other apps) find them in `ddr.models`.

Each model lives in the package of its concept: `registration` (people, documents, weapons declared,
the register tally), `lists` (armed groups and the lists they submit), `screening`, `eligibility`
`duplicates`, `reintegration` (choices, profiles, packages, payments, follow-up) and `accountability`
(grievances, appeals, consent).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _  # noqa: E402
from django.utils.translation import gettext_noop  # noqa: E402

from core.audit import code_labels, reason_template  # noqa: E402
from core.models import job_kind  # noqa: E402
from ddr.accountability.models import *  # noqa: F403
from ddr.duplicates.models import *  # noqa: F403
from ddr.eligibility import rules as eligibility_rules  # noqa: E402
from ddr.eligibility.models import *  # noqa: F403
from ddr.lists.models import *  # noqa: F403
from ddr.registration.models import *  # noqa: F403
from ddr.reintegration.models import *  # noqa: F403
from ddr.screening.models import *  # noqa: F403

# The reasons with figures the register's services write in the history ("list import 12"),
# shown in the reader's language (core.audit.reason_label).
reason_template(gettext_noop("list import %(n)s"))
reason_template(gettext_noop("list import %(n)s: child separated"))
reason_template(gettext_noop("rule set %(n)s"))
reason_template(gettext_noop("copy of version %(v)s"))
reason_template(gettext_noop("statement %(n)s of batch %(batch)s"))

# Codes a history shows in words: a person's pathway reason (the rules' code), the decision an
# appeal contests and the new one (a medical result, a pathway..., by the appeal's kind).
code_labels("ddr.Combatant", "pathway_reason", lambda _row, code: eligibility_rules.REASONS.get(code, code))


def _appeal_value(row: Any, value: str) -> str:
    from ddr.accountability.appeals.selectors import value_label  # reads the register's models

    return value_label(row.kind, value)


code_labels("ddr.Appeal", "contested_value", _appeal_value)
code_labels("ddr.Appeal", "new_value", _appeal_value)

# The register's kinds of background work, named for the list of jobs (core.models.job_kind).
job_kind("list_import", _("Checking a list"))
job_kind("list_import_commit", _("Importing a list"))
job_kind("eligibility_recompute", _("Recomputing the pathways"))
job_kind("duplicates_find", _("Searching for duplicates"))
job_kind("payment_statement", _("Reading a payment statement"))
job_kind("package_cohort_enrol", _("Enrolling a cohort in a package"))
