"""The permissions Lyceum checks, the built-in roles' defaults, and an append-only audit log:
the database itself refuses to change an entry (both vendors) or delete one (PostgreSQL; its
TRUNCATE, an owner's maintenance tool, still works. SQLite's flush deletes rows, so there a
delete is refused by the model and its queryset only)."""

from django.db import migrations

# Frozen here as they were when this migration was written; later ones add their own.
PERMISSIONS = {
    "courses.create": "Create courses and build the ones they teach.",
    "courses.manage_all": "Edit, publish and delete every course, and see every student's work in it.",
    "users.view": "See the admin console: every user with their email address, and platform stats.",
    "users.suspend": "Suspend and reactivate users.",
    "roles.assign": "Give users roles and take them away.",
    "roles.manage": "Create, edit and delete roles and choose their permissions.",
    "audit.view": "Read the audit log of admin actions.",
    "chat.moderate": "Delete messages and remove members in any group or course chat room.",
}
DEFAULTS = {"instructor": ["courses.create"], "admin": list(PERMISSIONS)}


def add_permissions(apps, schema_editor):
    Permission = apps.get_model("access", "Permission")
    RolePermission = apps.get_model("access", "RolePermission")
    Role = apps.get_model("accounts", "Role")
    for codename, description in PERMISSIONS.items():
        Permission.objects.update_or_create(codename=codename, defaults={"description": description})
    for role in Role.objects.filter(slug__in=DEFAULTS):
        for codename in DEFAULTS[role.slug]:
            RolePermission.objects.get_or_create(role=role, permission=Permission.objects.get(codename=codename))


SQLITE_TRIGGERS = """
CREATE TRIGGER access_auditlog_no_update BEFORE UPDATE ON access_auditlog
BEGIN SELECT RAISE(ABORT, 'The audit log is append-only.'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS access_auditlog_no_update;"
POSTGRES_TRIGGERS = """
CREATE FUNCTION access_auditlog_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'The audit log is append-only.'; END
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_auditlog_append_only BEFORE UPDATE OR DELETE ON access_auditlog
FOR EACH ROW EXECUTE FUNCTION access_auditlog_append_only();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS access_auditlog_append_only ON access_auditlog;
DROP FUNCTION IF EXISTS access_auditlog_append_only();
"""


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_TRIGGERS)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGERS)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("accounts", "0006_every_user_has_a_profile"),
    ]

    operations = [
        migrations.RunPython(add_permissions, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
