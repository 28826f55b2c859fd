"""The privacy notice says what live counselling keeps (transcript and metadata, no audio or
video). A page still holding the first text loaded by accounts 0004 gets the new text; a page an
administrator has rewritten is left as they wrote it."""

from django.db import migrations

from civicportal.accounts.policy_texts import PRIVACY

ADDED_KO = PRIVACY["body_ko"].split("\n")[4] + "\n"
ADDED_EN = PRIVACY["body_en"].split("\n")[4] + "\n"


def forwards(apps, schema_editor):
    PolicyPage = apps.get_model("accounts", "PolicyPage")
    old_ko = PRIVACY["body_ko"].replace(ADDED_KO, "")
    old_en = PRIVACY["body_en"].replace(ADDED_EN, "")
    PolicyPage.objects.filter(kind="privacy", body_ko=old_ko, body_en=old_en).update(
        body_ko=PRIVACY["body_ko"], body_en=PRIVACY["body_en"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter_chat", "0001_live_conversations"),
        ("accounts", "0004_load_policy_pages"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
