"""Targets count every structure of the State, with the report's targets (lessons learned, 2024).

- 3,000 by 2020, resolution 2480 (2019): "the objective of reintegrating 3,000 fighters by 2020 set
  in the UN Security Council in Resolution 2480 (2019) was never entirely reached" (3.3.1); the
  accelerated DDR-I into the army (BATFARs). The row of 0003 is renamed and its source given.
- Another 2,000, resolution 2531 (2020): "integration into reconstituted inclusive Malian Defence
  and Security units (at least another 2,000 members of the signatory armed groups)" (3.3, the third
  phase): the State's defence and security forces, so all military, none civilian. The report gives
  no deadline: 30 June 2021, the end of the mandate that resolution renewed, is from outside it.
- 26,000 into State structures from August 2022, "13,000 the first year and another 13,000 the
  following years" (executive summary and 3.4: the August 2022 high-level decision-making meeting): the first
  13,000 by July 2023; the 26,000 keep 0003's deadline of July 2024, which the report does not give.
- The civil/military split of quotas was left to a meeting of the parties (annex 6.2, roadmap of
  18 December 2020, item 10: "la question des quotas (civils et militaires)"); the report gives
  no figures, so only resolution 2531's target has one.
A row an administrator has changed since (another name) is left alone."""

import datetime as dt

from django.db import migrations, models
from django.utils import timezone

D = dt.date
REASON = "Cibles par structure de l'État (rapport 2024)"
OLD_3000 = "Accord pour la paix : 3 000 intégrés d'ici 2020"
OLD_26000 = "26 000 intégrés en deux ans (à partir de 2022)"
RENAMED = [
    # old name, new name, structure, source
    (
        OLD_3000,
        "Résolution 2480 (2019) : 3 000 intégrés d'ici 2020",
        "integration_army",
        "Rapport 2024, 3.3.1 : objectif de 3 000 combattants d'ici 2020 (résolution 2480).",
    ),
    (
        OLD_26000,
        "Août 2022 : 26 000 intégrés dans les structures de l'État",
        "state",
        "Rapport 2024, 3.4 : 26 000 dans les structures de l'État, 13 000 la première année et "
        "13 000 les années suivantes ; l'échéance de juillet 2024 n'est pas dans le rapport.",
    ),
]
# name, number, military, civil, start, deadline, structure, source
ADDED = [
    (
        "Résolution 2531 (2020) : au moins 2 000 de plus",
        2000,
        2000,
        0,
        D(2020, 6, 29),
        D(2021, 6, 30),
        "state",
        "Rapport 2024, 3.3 (troisième phase) : au moins 2 000 de plus dans des unités de défense et "
        "de sécurité reconstituées ; dates hors rapport (adoption, fin du mandat renouvelé).",
    ),
    (
        "Août 2022 : 13 000 la première année",
        13000,
        None,
        None,
        D(2022, 8, 1),
        D(2023, 7, 31),
        "state",
        "Rapport 2024, 3.4 : 13 000 la première année (réunion de haut niveau d'août 2022).",
    ),
]


def _audited(apps, targets, kind):
    """A history row for each target changed, as the admin would write (history is the audit)."""
    Target = apps.get_model("integration", "IntegrationTarget")
    Historical = apps.get_model("integration", "HistoricalIntegrationTarget")
    for target in targets:
        values = {f.attname: getattr(target, f.attname) for f in Target._meta.concrete_fields}
        Historical.objects.create(
            **values, history_date=timezone.now(), history_type=kind, history_change_reason=REASON
        )


def per_structure(apps, schema_editor):
    Target = apps.get_model("integration", "IntegrationTarget")
    for old, new, structure, source in RENAMED:
        if Target.objects.filter(name=old).update(name=new, structure=structure, source=source):
            _audited(apps, Target.objects.filter(name=new), "~")
    for name, number, military, civil, start, deadline, structure, source in ADDED:
        target, created = Target.objects.get_or_create(
            name=name,
            defaults={
                "number": number,
                "military_number": military,
                "civil_number": civil,
                "start": start,
                "deadline": deadline,
                "structure": structure,
                "source": source,
            },
        )
        if created:
            _audited(apps, [target], "+")


def army_only(apps, schema_editor):
    Target = apps.get_model("integration", "IntegrationTarget")
    Target.objects.filter(name__in=[a[0] for a in ADDED]).delete()
    for old, new, _structure, _source in RENAMED:
        Target.objects.filter(name=new).update(name=old, structure="integration_army", source="")


class Migration(migrations.Migration):
    dependencies = [("integration", "0007_rank_table_decree_and_command_positions")]

    operations = [
        migrations.AddField(
            model_name="historicalintegrationtarget",
            name="civil_number",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="of which civilian"),
        ),
        migrations.AddField(
            model_name="historicalintegrationtarget",
            name="military_number",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="of which military"),
        ),
        migrations.AddField(
            model_name="historicalintegrationtarget",
            name="source",
            field=models.CharField(blank=True, max_length=300, verbose_name="source"),
        ),
        migrations.AddField(
            model_name="historicalintegrationtarget",
            name="structure",
            field=models.CharField(
                choices=[
                    ("integration_army", "Armed forces"),
                    ("integration_security", "Security forces"),
                    ("integration_civil", "Civil service"),
                    ("recall", "Recall of ex-MDSF to their corps"),
                    ("state", "Every structure of the State"),
                ],
                db_default="integration_army",
                default="integration_army",
                max_length=24,
                verbose_name="structure counted",
            ),
        ),
        migrations.AddField(
            model_name="integrationtarget",
            name="civil_number",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="of which civilian"),
        ),
        migrations.AddField(
            model_name="integrationtarget",
            name="military_number",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="of which military"),
        ),
        migrations.AddField(
            model_name="integrationtarget",
            name="source",
            field=models.CharField(blank=True, max_length=300, verbose_name="source"),
        ),
        migrations.AddField(
            model_name="integrationtarget",
            name="structure",
            field=models.CharField(
                choices=[
                    ("integration_army", "Armed forces"),
                    ("integration_security", "Security forces"),
                    ("integration_civil", "Civil service"),
                    ("recall", "Recall of ex-MDSF to their corps"),
                    ("state", "Every structure of the State"),
                ],
                db_default="integration_army",
                default="integration_army",
                max_length=24,
                verbose_name="structure counted",
            ),
        ),
        migrations.AddConstraint(
            model_name="integrationtarget",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("military_number__isnull", True),
                        ("military_number__lte", models.F("number")),
                        _connector="OR",
                    ),
                    models.Q(
                        ("civil_number__isnull", True),
                        ("civil_number__lte", models.F("number")),
                        _connector="OR",
                    ),
                ),
                name="target_split_within_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="integrationtarget",
            constraint=models.CheckConstraint(
                condition=models.Q(("deadline__gte", models.F("start"))), name="target_deadline_after_start"
            ),
        ),
        migrations.RunPython(per_structure, army_only),
    ]
