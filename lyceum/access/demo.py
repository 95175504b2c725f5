"""Demo data of access control: a Moderator role made the way an admin would make one."""

from __future__ import annotations

from lyceum.accounts.models import Role

from .models import RolePermission
from .services import permissions_ensure


def create_demo_roles() -> list[Role]:
    """A Moderator role (chat.moderate) beside the built-in ones; idempotent, no audit entry
    (set-up is not an admin action)."""
    role, _ = Role.objects.get_or_create(
        slug="moderator", defaults={"name": "Moderator", "description": "Keeps group and course chat civil."}
    )
    permission = permissions_ensure()["chat.moderate"]
    RolePermission.objects.get_or_create(role=role, permission=permission)
    return [role]
