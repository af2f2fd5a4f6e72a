"""Civilian cadres reach the civil service: every rule set that sends a category to civil-service
integration, and says nothing of that pathway's requirements, gets a civil-service line without
weapon or medical requirement. Before it, all 55 civilian cadres of the demo waited for a military
medical examination and an unarmed one was sent to reinsertion; the report has them integrated
"dans les administrations et services publics" (annex 6.2, roadmap of 18 December 2020, items 7
and 13). Each change is a history row of the rule set, with its reason. The decisions already
taken change at the next recomputation (activating a rule set, or `eligibility_recompute`)."""

from django.db import migrations
from django.utils import timezone

CIVIL = "integration_civil"
LINE = {"weapon": False, "medical": False}
REASON = "Rapport 2024, annexe 6.2 (feuille de route 2020, points 7 et 13) : cadres civils"


def _audited(apps, ruleset):
    RuleSet = apps.get_model("ddr", "RuleSet")
    Historical = apps.get_model("ddr", "HistoricalRuleSet")
    values = {f.attname: getattr(ruleset, f.attname) for f in RuleSet._meta.concrete_fields}
    Historical.objects.create(
        **values, history_date=timezone.now(), history_type="~", history_change_reason=REASON
    )


def civil_line(apps, schema_editor):
    RuleSet = apps.get_model("ddr", "RuleSet")
    for ruleset in RuleSet.objects.order_by("pk"):
        lines = dict(ruleset.pathway_requirements or {})
        if CIVIL not in (ruleset.category_pathways or {}).values() or CIVIL in lines:
            continue
        ruleset.pathway_requirements = {**lines, CIVIL: LINE}
        ruleset.save(update_fields=["pathway_requirements"])
        _audited(apps, ruleset)


def no_civil_line(apps, schema_editor):
    RuleSet = apps.get_model("ddr", "RuleSet")
    for ruleset in RuleSet.objects.order_by("pk"):
        lines = dict(ruleset.pathway_requirements or {})
        if lines.get(CIVIL) != LINE:
            continue
        del lines[CIVIL]
        ruleset.pathway_requirements = lines
        ruleset.save(update_fields=["pathway_requirements"])
        _audited(apps, ruleset)


class Migration(migrations.Migration):
    dependencies = [("ddr", "0029_ruleset_pathway_requirements")]
    operations = [migrations.RunPython(civil_line, no_civil_line)]
