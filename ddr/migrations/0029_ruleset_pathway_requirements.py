"""Rule sets hold requirements per pathway (weapon, medical fitness, vetting, age verification,
minimum and maximum age). The rule sets already stored get none, so they decide as before (every
pathway follows their general fields); a new rule set starts from `default_pathway_requirements`."""

from django.db import migrations, models

import ddr.eligibility.models


def field(default):
    return models.JSONField(blank=True, default=default, verbose_name="requirements of each pathway")


class Migration(migrations.Migration):
    dependencies = [("ddr", "0028_coalitions_as_the_report_tells")]

    operations = [
        # The rows there are: an empty line each; then the default of a new rule set.
        migrations.AddField(model_name="historicalruleset", name="pathway_requirements", field=field(dict)),
        migrations.AddField(model_name="ruleset", name="pathway_requirements", field=field(dict)),
        migrations.AlterField(
            model_name="historicalruleset",
            name="pathway_requirements",
            field=field(ddr.eligibility.models.default_pathway_requirements),
        ),
        migrations.AlterField(
            model_name="ruleset",
            name="pathway_requirements",
            field=field(ddr.eligibility.models.default_pathway_requirements),
        ),
    ]
