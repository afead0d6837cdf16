"""Claims labelled before review states existed were final the moment they were labelled: say so."""
from django.db import migrations


def mark_labelled_claims_final(apps, schema_editor):
    Claim = apps.get_model("annotations", "Claim")
    Claim.objects.exclude(verdict="unreviewed").update(review_state="final")


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0007_review_queue_opinions_speakers"),
    ]

    operations = [
        migrations.RunPython(mark_labelled_claims_final, migrations.RunPython.noop),
    ]
