from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    from lyceum.access.checks import access_of
    from lyceum.courses.permissions import can_teach, is_admin

    user = request.user
    return {
        "site_name": "Lyceum",
        # Callables: a template calls them only where it asks.
        "is_admin": lambda: is_admin(user),
        # Instructors, and anyone on a course's staff (a TA), see the teaching dashboard.
        "can_teach": lambda: can_teach(user) or bool(access_of(user).staff),
        "in_console": lambda: bool(
            access_of(user).permissions & {"users.view", "roles.manage", "audit.view"}
        ),
        "unread_notifications": lambda: _unread(user),
        "theme": lambda: _theme(user),
    }


def _theme(user) -> str:
    """The user's theme preference (light, dark or system, the device's)."""
    if not user.is_authenticated:
        return "system"
    profile = getattr(user, "profile", None)
    theme = (profile.preferences or {}).get("theme") if profile is not None else None
    return theme if theme in ("light", "dark", "system") else "system"


def _unread(user) -> int:
    from lyceum.notifications.selectors import unread_count

    if not user.is_authenticated:
        return 0
    return unread_count(user=user)
