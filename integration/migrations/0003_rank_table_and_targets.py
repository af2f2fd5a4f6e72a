"""Reference data: the first rank allocation table and the integration targets.

The rank table follows the structure of decree 0874/P-RM of 30 October 2019 (rank held in the
movement, years of service, education -> army rank, with caps); the lines below are a first
version for the commission to check against the decree's text, in the admin.
"""

import datetime as dt

from django.db import migrations

RULES = [
    # movement rank, minimum years, minimum education, army rank
    ("Général", 20, "higher", "Colonel"),
    ("Général", 15, "none", "Lieutenant-colonel"),
    ("Colonel", 15, "secondary", "Commandant"),
    ("Colonel", 10, "none", "Capitaine"),
    ("Commandant", 10, "secondary", "Capitaine"),
    ("Commandant", 5, "none", "Lieutenant"),
    ("Capitaine", 8, "secondary", "Lieutenant"),
    ("Capitaine", 3, "none", "Sous-lieutenant"),
    ("Lieutenant", 5, "secondary", "Sous-lieutenant"),
    ("Lieutenant", 2, "none", "Adjudant-chef"),
    ("Adjudant", 3, "none", "Adjudant"),
    ("Sergent", 3, "none", "Sergent"),
    ("Caporal", 2, "none", "Caporal"),
    ("Soldat", 2, "none", "Soldat de 1re classe"),
]
CAPS = {"Colonel": 5, "Lieutenant-colonel": 10, "Commandant": 20, "Capitaine": 40, "Lieutenant": 60}
TARGETS = [
    ("Accord pour la paix : 3 000 intégrés d'ici 2020", 3000, dt.date(2018, 11, 1), dt.date(2020, 12, 31)),
    ("26 000 intégrés en deux ans (à partir de 2022)", 26000, dt.date(2022, 8, 1), dt.date(2024, 7, 31)),
]


def load(apps, schema_editor):
    RankTable = apps.get_model("integration", "RankTable")
    RankRule = apps.get_model("integration", "RankRule")
    table, created = RankTable.objects.get_or_create(
        effective_from=dt.date(2019, 10, 30),
        defaults={"name": "Grille d'attribution des grades (décret 0874/P-RM)", "decree": "Décret n°2019-0874/P-RM du 30 octobre 2019", "caps": CAPS},
    )
    if created:
        RankRule.objects.bulk_create(
            RankRule(table=table, order=n, movement_rank=held, min_years=years, min_education=edu, army_rank=rank)
            for n, (held, years, edu, rank) in enumerate(RULES, start=1)
        )
    IntegrationTarget = apps.get_model("integration", "IntegrationTarget")
    for name, number, start, deadline in TARGETS:
        IntegrationTarget.objects.get_or_create(name=name, defaults={"number": number, "start": start, "deadline": deadline})


def unload(apps, schema_editor):
    apps.get_model("integration", "RankTable").objects.filter(effective_from=dt.date(2019, 10, 30)).delete()
    apps.get_model("integration", "IntegrationTarget").objects.filter(name__in=[t[0] for t in TARGETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("integration", "0002_memberships_compliance_cohorts_ranks")]
    operations = [migrations.RunPython(load, unload)]
