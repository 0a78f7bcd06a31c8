from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Searches for a person by name ignore accents: "elise" finds Élise."""

    dependencies = [("sales", "0028_live_ranges")]

    operations = [UnaccentExtension()]
