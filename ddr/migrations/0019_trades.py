"""The trades and activities the studies and packages speak of (reference data, edited in the admin)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TRADES = [
    ("agriculture", "Agriculture et maraîchage"),
    ("livestock", "Élevage"),
    ("fishing", "Pêche"),
    ("mechanics", "Mécanique auto et moto"),
    ("welding", "Soudure et métallerie"),
    ("carpentry", "Menuiserie"),
    ("masonry", "Maçonnerie"),
    ("electricity", "Électricité et énergie solaire"),
    ("sewing", "Couture et teinture"),
    ("hairdressing", "Coiffure"),
    ("commerce", "Petit commerce"),
    ("transport", "Transport et conduite"),
    ("catering", "Restauration"),
    ("crafts", "Artisanat (cuir, bijoux)"),
]


def load(apps: Any, schema_editor: Any) -> None:
    Trade = apps.get_model("ddr", "Trade")
    for code, name in TRADES:
        Trade.objects.get_or_create(code=code, defaults={"name": name})


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("ddr", "Trade").objects.filter(code__in=[c for c, _ in TRADES]).delete()


class Migration(migrations.Migration):
    dependencies = [("ddr", "0018_reintegration")]

    operations = [migrations.RunPython(load, unload)]
