"""The levels and the starter achievements (admins and instructors add and change their own)."""

from django.db import migrations

from ._seed_data import ACHIEVEMENTS, LEVELS


def seed(apps, schema_editor):
    Level = apps.get_model("gamification", "Level")
    Achievement = apps.get_model("gamification", "Achievement")
    for number, required, title in LEVELS:
        Level.objects.update_or_create(number=number, defaults={"points_required": required, "title": title})
    for slug, title, description, icon, rule, points in ACHIEVEMENTS:
        Achievement.objects.get_or_create(
            slug=slug, defaults={"title": title, "description": description, "icon": icon, "rule": rule, "points": points}
        )


class Migration(migrations.Migration):
    dependencies = [("gamification", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
