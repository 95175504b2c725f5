from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    user = request.user
    return {
        "site_name": "Lyceum",
        "is_admin": bool(user.is_authenticated and (user.is_superuser or user.has_role("admin"))),
    }
