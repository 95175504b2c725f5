from django.db import migrations


def add_missing_profiles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    UserProfile = apps.get_model("accounts", "UserProfile")
    missing = User.objects.filter(profile__isnull=True).values_list("pk", flat=True)
    UserProfile.objects.bulk_create([UserProfile(user_id=pk) for pk in missing], ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_validation_in_models"),
    ]

    operations = [
        migrations.RunPython(add_missing_profiles, migrations.RunPython.noop),
    ]
