from django.db import migrations

ROLES = [
    ("student", "Student", "Takes courses, quizzes and exams."),
    ("instructor", "Instructor", "Builds courses and grades students."),
    ("admin", "Admin", "Manages users, roles and content."),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for slug, name, description in ROLES:
        Role.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
