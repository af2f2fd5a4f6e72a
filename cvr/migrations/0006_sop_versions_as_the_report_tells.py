"""The SOP versions as the report tells them (lessons learned 2024, section 3.3):
- CVR projects started in 2014: a first version from 1 January 2014 (USD 50,000 for one NGO), so
  that no project of 2014-2018 is left without an SOP to be approved under;
- consortia of 2-3 local NGOs under a lead NGO came in 2020 at USD 300,000 (the 1 May 2023 SOPs
  wrote down what was done since 2020);
- no version sets a women's share that makes a project "benefit women": the 0.50 earlier
  migrations put there by default was invented, and is emptied."""

import datetime as dt
from decimal import Decimal

from django.db import migrations, models

FIRST = dt.date(2014, 1, 1)
CONSORTIA_FROM = dt.date(2020, 1, 1)
CONSORTIUM_CAP = Decimal("300000")
OLD_THRESHOLD = Decimal("0.50")


def as_told(apps, schema_editor):
    SOPVersion = apps.get_model("cvr", "SOPVersion")
    SOPVersion.objects.get_or_create(
        effective_from=FIRST, defaults={"name": "SOP RVC 2014", "cap_single_usd": Decimal("50000")}
    )
    SOPVersion.objects.filter(effective_from=CONSORTIA_FROM, cap_consortium_usd=None).update(
        cap_consortium_usd=CONSORTIUM_CAP
    )
    SOPVersion.objects.filter(women_benefit_threshold=OLD_THRESHOLD).update(women_benefit_threshold=None)


def as_before(apps, schema_editor):
    SOPVersion = apps.get_model("cvr", "SOPVersion")
    SOPVersion.objects.filter(women_benefit_threshold=None).update(women_benefit_threshold=OLD_THRESHOLD)
    SOPVersion.objects.filter(effective_from=CONSORTIA_FROM, cap_consortium_usd=CONSORTIUM_CAP).update(
        cap_consortium_usd=None
    )
    if not apps.get_model("cvr", "Project").objects.filter(sop__effective_from=FIRST).exists():
        SOPVersion.objects.filter(effective_from=FIRST, name="SOP RVC 2014").delete()


FIELD = models.DecimalField(
    blank=True,
    decimal_places=2,
    help_text="Leave empty when the SOP sets no such share: projects are then not judged on it.",
    max_digits=3,
    null=True,
    verbose_name="women's share that makes a project benefit women",
)


class Migration(migrations.Migration):
    dependencies = [("cvr", "0005_history_for_project_events")]

    operations = [
        migrations.AlterField(model_name="historicalsopversion", name="women_benefit_threshold", field=FIELD),
        migrations.AlterField(model_name="sopversion", name="women_benefit_threshold", field=FIELD),
        migrations.RunPython(as_told, as_before),
    ]
