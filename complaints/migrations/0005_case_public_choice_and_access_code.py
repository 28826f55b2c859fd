"""A case's title and text become public only by the citizen's choice (existing cases: not
public); every case gets an access code (existing rows are given theirs in 0006)."""

from django.db import migrations, models

import complaints.models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_case_acknowledged_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="text_is_public",
            field=models.BooleanField(
                default=False,
                help_text="The citizen chose at filing to publish the title and text. Never for reports.",
                verbose_name="title and text public",
            ),
        ),
        # Added empty (one value for every existing row would be one shared code), then the
        # per-row default for new cases; 0006 gives each existing case its own code.
        migrations.AddField(
            model_name="case",
            name="access_code",
            field=models.CharField(default="", editable=False, max_length=8, verbose_name="access code"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="case",
            name="access_code",
            field=models.CharField(
                default=complaints.models.new_access_code,
                editable=False,
                help_text="Given at filing; with the tracking number it follows the case without an account.",
                max_length=8,
                verbose_name="access code",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("text_is_public", False),
                    models.Q(("kind__in", ["corruption", "human_rights", "public_interest", "welfare"]), _negated=True),
                    _connector="OR",
                ),
                name="case_reports_never_public",
            ),
        ),
    ]
