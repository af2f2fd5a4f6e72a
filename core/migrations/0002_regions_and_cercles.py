"""Mali's regions and their cercles (the ten regions and the District of Bamako, with Ménaka
and Taoudénit). The 2023 reorganisation into more regions can be added by administrators."""

from django.db import migrations

REGIONS = {
    ("KAY", "Kayes"): ["Kayes", "Bafoulabé", "Diéma", "Kéniéba", "Kita", "Nioro du Sahel", "Yélimané"],
    ("KOU", "Koulikoro"): ["Koulikoro", "Banamba", "Dioïla", "Kangaba", "Kati", "Kolokani", "Nara"],
    ("SIK", "Sikasso"): ["Sikasso", "Bougouni", "Kadiolo", "Kolondiéba", "Koutiala", "Yanfolila", "Yorosso"],
    ("SEG", "Ségou"): ["Ségou", "Barouéli", "Bla", "Macina", "Niono", "San", "Tominian"],
    ("MOP", "Mopti"): ["Mopti", "Bandiagara", "Bankass", "Djenné", "Douentza", "Koro", "Ténenkou", "Youwarou"],
    ("TBK", "Tombouctou"): ["Tombouctou", "Diré", "Goundam", "Gourma-Rharous", "Niafunké"],
    ("GAO", "Gao"): ["Gao", "Ansongo", "Bourem"],
    ("KID", "Kidal"): ["Kidal", "Abeïbara", "Tessalit", "Tin-Essako"],
    ("MEN", "Ménaka"): ["Ménaka", "Andéramboukane", "Inékar", "Tidermène"],
    ("TAO", "Taoudénit"): ["Taoudénit", "Achourat", "Al-Ourche", "Arawane", "Boujbéha", "Foum-Elba"],
    ("BKO", "District de Bamako"): ["Bamako"],
}


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    Cercle = apps.get_model("core", "Cercle")
    for (code, name), cercles in REGIONS.items():
        region, _ = Region.objects.get_or_create(code=code, defaults={"name": name})
        for cercle in cercles:
            Cercle.objects.get_or_create(region=region, name=cercle)


def unload(apps, schema_editor):
    apps.get_model("core", "Cercle").objects.filter(region__code__in=[c for c, _ in REGIONS]).delete()
    apps.get_model("core", "Region").objects.filter(code__in=[c for c, _ in REGIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
