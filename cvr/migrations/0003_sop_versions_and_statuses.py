"""Reference data: the CVR SOP versions (admins can correct them), and the old project statuses
mapped onto the lifecycle."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

# Caps: USD 50,000 for one NGO (2019), raised to 100,000 (2020); consortia of 2-3 local NGOs up
# to 300,000 from the 1 May 2023 SOPs.
SOPS = [
    ("SOP RVC 2019", dt.date(2019, 1, 1), Decimal("50000"), None),
    ("SOP RVC 2020", dt.date(2020, 1, 1), Decimal("100000"), None),
    ("SOP RVC du 1er mai 2023", dt.date(2023, 5, 1), Decimal("100000"), Decimal("300000")),
]
OLD_STATUSES = {"proposed": "draft", "approved": "pac", "ongoing": "implementation", "cancelled": "closed"}


def load(apps, schema_editor):
    SOPVersion = apps.get_model("cvr", "SOPVersion")
    for name, start, single, consortium in SOPS:
        SOPVersion.objects.get_or_create(
            effective_from=start,
            defaults={"name": name, "cap_single_usd": single, "cap_consortium_usd": consortium},
        )
    Project = apps.get_model("cvr", "Project")
    for old, new in OLD_STATUSES.items():
        Project.objects.filter(status=old).update(status=new)


def unload(apps, schema_editor):
    apps.get_model("cvr", "SOPVersion").objects.filter(effective_from__in=[s[1] for s in SOPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("cvr", "0002_sop_consortia_lifecycle_beneficiaries")]
    operations = [migrations.RunPython(load, unload)]
