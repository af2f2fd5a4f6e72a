"""Coalitions and movements from the 2015 Agreement onwards, with dated coalition changes.

Dates are those of the coalition's formation or of the change as reported; where only the
year is known the first of January is used and the note says so.
"""

import datetime

from django.db import migrations

COALITIONS = [
    ("CMA", "Coordination des mouvements de l'Azawad", True),
    ("PLATEFORME", "Plateforme des mouvements du 14 juin 2014 d'Alger", True),
    ("CMI", "Coordination des mouvements de l'inclusivité", False),
]

# code, name, kind, split_from, UN-listed for child recruitment
GROUPS = [
    ("MNLA", "Mouvement national de libération de l'Azawad", "movement", None, True),
    ("HCUA", "Haut conseil pour l'unité de l'Azawad", "movement", None, False),
    ("MAA-CMA", "Mouvement arabe de l'Azawad (CMA)", "movement", None, False),
    ("MAA-PF", "Mouvement arabe de l'Azawad (Plateforme)", "movement", None, False),
    ("CMFPR", "Coordination des mouvements et fronts patriotiques de résistance", "movement", None, False),
    ("CPA", "Coalition du peuple pour l'Azawad", "movement", None, False),
    ("GATIA", "Groupe d'autodéfense touareg Imghad et alliés", "movement", None, False),
    ("CMFPR-2", "CMFPR II", "splinter", "CMFPR", False),
    ("MSA", "Mouvement pour le salut de l'Azawad", "splinter", "MNLA", False),
    ("CJA", "Congrès pour la justice dans l'Azawad", "splinter", "HCUA", False),
    ("DNA", "Dan Na Ambassagou", "militia", None, False),
    ("AUTODEF-CENTRE", "Groupes d'autodéfense du centre", "militia", None, False),
    ("DEFECTEURS", "Défecteurs de groupes extrémistes", "defectors", None, False),
]

D = datetime.date
MEMBERSHIPS = [
    ("MNLA", "CMA", D(2014, 10, 28), None, ""),
    ("HCUA", "CMA", D(2014, 10, 28), None, ""),
    ("MAA-CMA", "CMA", D(2014, 10, 28), None, ""),
    ("MAA-PF", "PLATEFORME", D(2014, 6, 14), None, ""),
    ("CMFPR", "PLATEFORME", D(2014, 6, 14), None, ""),
    ("GATIA", "PLATEFORME", D(2014, 6, 14), None, ""),
    ("CPA", "CMA", D(2014, 10, 28), D(2016, 1, 1), "year only"),
    ("CPA", "PLATEFORME", D(2016, 1, 1), None, "year only"),
    ("CMFPR-2", "CMA", D(2014, 10, 28), D(2016, 1, 1), "year only"),
    ("CMFPR-2", "CMI", D(2016, 1, 1), None, "year only"),
    ("MSA", "CMI", D(2016, 9, 1), None, "month only"),
    ("CJA", "CMI", D(2016, 10, 1), None, "month only"),
]


def load(apps, schema_editor):
    Coalition = apps.get_model("ddr", "Coalition")
    ArmedGroup = apps.get_model("ddr", "ArmedGroup")
    Membership = apps.get_model("ddr", "CoalitionMembership")
    coalitions = {}
    for code, name, signatory in COALITIONS:
        coalitions[code], _ = Coalition.objects.get_or_create(
            code=code, defaults={"name": name, "signatory": signatory})
    groups = {}
    for code, name, kind, parent, listed in GROUPS:
        groups[code], _ = ArmedGroup.objects.get_or_create(code=code, defaults={
            "name": name, "kind": kind, "split_from": groups.get(parent),
            "listed_for_child_recruitment": listed})
    for group, coalition, start, end, note in MEMBERSHIPS:
        Membership.objects.get_or_create(group=groups[group], coalition=coalitions[coalition],
                                         start=start, defaults={"end": end, "note": note})


def unload(apps, schema_editor):
    apps.get_model("ddr", "CoalitionMembership").objects.all().delete()
    apps.get_model("ddr", "ArmedGroup").objects.filter(code__in=[g[0] for g in GROUPS]).delete()
    apps.get_model("ddr", "Coalition").objects.filter(code__in=[c[0] for c in COALITIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("ddr", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
