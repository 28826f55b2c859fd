from django.db import migrations
from django.db.models import Count


def backfill(apps, schema_editor):
    """Progress now reads the chunks' counters: count the deliveries of chunks that exist already."""
    AlertChunk = apps.get_model("notifications", "AlertChunk")
    AlertDelivery = apps.get_model("notifications", "AlertDelivery")
    for chunk in AlertChunk.objects.filter(counts={}).iterator():
        counts = {}
        grouped = (
            AlertDelivery.objects.filter(
                alert_id=chunk.alert_id, user_id__gte=chunk.first_user_id, user_id__lte=chunk.last_user_id
            )
            .order_by()
            .values_list("channel", "status")
            .annotate(n=Count("id"))
        )
        for channel, status, n in grouped:
            counts.setdefault(channel, {})[status] = n
        if counts:
            AlertChunk.objects.filter(pk=chunk.pk).update(counts=counts)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_alert_claims_chunk_counters_fewer_indexes")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
