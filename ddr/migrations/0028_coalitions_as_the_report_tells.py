"""Coalitions and groups as the report tells them (lessons learned, March 2024):
- the CMA: the MNLA, the HCUA and the MAA declared their coalition on 5 November 2013 (3.1; 3.2,
  note 13), not in October 2014;
- the CPA split from the MNLA on 18 March 2014 and is one of the Platform's groups from its
  creation on 14 June 2014 (3.2, note 14): it was never in the CMA;
- GATIA is named in the Platform (3.3.2) but not among its founders: from its creation in August
  2014, a date from outside the report, as its note says;
- the UN lists the Platform, "including affiliated groups", for recruiting children, as it lists
  the MNLA (3.3.2);
- a date the report does not give says so in its note.
Each change matches the values 0002 wrote: a row an administrator has corrected since is left alone."""

import datetime

from django.db import migrations

D = datetime.date
OLD_CMA = D(2014, 10, 28)
CMA = D(2013, 11, 5)
PLATFORM = D(2014, 6, 14)
GATIA = D(2014, 8, 14)
CPA_OLD_PLATFORM = D(2016, 1, 1)
PLATFORM_GROUPS = ["MAA-PF", "CMFPR", "CPA", "GATIA"]

NOTE_CMA = "Rapport 2024, 3.1 : coalition déclarée par le MNLA, le HCUA et le MAA le 5 novembre 2013."
NOTE_PLATFORM = "Rapport 2024, 3.2 note 14 : la Plateforme est créée le 14 juin 2014."
NOTE_CPA = (
    "Rapport 2024, 3.2 note 14 : scission du MNLA le 18 mars 2014, membre de la Plateforme "
    "créée le 14 juin 2014."
)
NOTE_GATIA = (
    "Date absente du rapport 2024, qui nomme le GATIA dans la Plateforme (3.3.2) mais pas parmi ses "
    "fondateurs : août 2014, sa création (source extérieure au rapport)."
)
NOT_IN_REPORT = "Date absente du rapport 2024, à confirmer ({precision})."
# group, coalition, start, old note, precision of the date kept
UNSOURCED = [
    ("CMFPR-2", "CMA", OLD_CMA, "year only", "jour inventé, fin en 2016 : année seulement"),
    ("CMFPR-2", "CMI", D(2016, 1, 1), "year only", "année seulement"),
    ("MSA", "CMI", D(2016, 9, 1), "month only", "mois seulement"),
    ("CJA", "CMI", D(2016, 10, 1), "month only", "mois seulement"),
]


def as_told(apps, schema_editor):
    Membership = apps.get_model("ddr", "CoalitionMembership")
    ArmedGroup = apps.get_model("ddr", "ArmedGroup")
    Membership.objects.filter(
        group__code__in=["MNLA", "HCUA", "MAA-CMA"], coalition__code="CMA", start=OLD_CMA, note=""
    ).update(start=CMA, note=NOTE_CMA)
    Membership.objects.filter(
        group__code__in=["MAA-PF", "CMFPR"], coalition__code="PLATEFORME", start=PLATFORM, note=""
    ).update(note=NOTE_PLATFORM)
    Membership.objects.filter(
        group__code="GATIA", coalition__code="PLATEFORME", start=PLATFORM, note=""
    ).update(start=GATIA, note=NOTE_GATIA)
    cpa = Membership.objects.filter(group__code="CPA")
    cpa.filter(coalition__code="CMA", start=OLD_CMA, end=CPA_OLD_PLATFORM, note="year only").delete()
    cpa.filter(coalition__code="PLATEFORME", start=CPA_OLD_PLATFORM, note="year only").update(
        start=PLATFORM, note=NOTE_CPA
    )
    mnla = ArmedGroup.objects.filter(code="MNLA").first()
    ArmedGroup.objects.filter(code="CPA", split_from=None).update(split_from=mnla)
    ArmedGroup.objects.filter(code__in=PLATFORM_GROUPS).update(listed_for_child_recruitment=True)
    for group, coalition, start, old, precision in UNSOURCED:
        Membership.objects.filter(
            group__code=group, coalition__code=coalition, start=start, note=old
        ).update(note=NOT_IN_REPORT.format(precision=precision))


def as_before(apps, schema_editor):
    Membership = apps.get_model("ddr", "CoalitionMembership")
    ArmedGroup = apps.get_model("ddr", "ArmedGroup")
    Coalition = apps.get_model("ddr", "Coalition")
    for group, coalition, start, old, precision in UNSOURCED:
        Membership.objects.filter(
            group__code=group, coalition__code=coalition, start=start,
            note=NOT_IN_REPORT.format(precision=precision),
        ).update(note=old)
    ArmedGroup.objects.filter(code__in=PLATFORM_GROUPS).update(listed_for_child_recruitment=False)
    ArmedGroup.objects.filter(code="CPA", split_from__code="MNLA").update(split_from=None)
    cpa = ArmedGroup.objects.filter(code="CPA").first()
    cma = Coalition.objects.filter(code="CMA").first()
    restored = Membership.objects.filter(
        group__code="CPA", coalition__code="PLATEFORME", start=PLATFORM, note=NOTE_CPA
    ).update(start=CPA_OLD_PLATFORM, note="year only")
    if restored and cpa and cma:
        Membership.objects.get_or_create(
            group=cpa, coalition=cma, start=OLD_CMA, defaults={"end": CPA_OLD_PLATFORM, "note": "year only"}
        )
    Membership.objects.filter(group__code="GATIA", start=GATIA, note=NOTE_GATIA).update(start=PLATFORM, note="")
    Membership.objects.filter(note=NOTE_PLATFORM).update(note="")
    Membership.objects.filter(start=CMA, note=NOTE_CMA).update(start=OLD_CMA, note="")


class Migration(migrations.Migration):
    dependencies = [("ddr", "0027_verbose_names_in_history")]
    operations = [migrations.RunPython(as_told, as_before)]
