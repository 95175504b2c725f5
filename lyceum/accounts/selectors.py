"""Reads of accounts that are more than one line of ORM."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from .models import User, UserRole


def _with_roles(queryset: QuerySet[User]) -> QuerySet[User]:
    return queryset.select_related("profile").prefetch_related(
        Prefetch("user_roles", queryset=UserRole.objects.select_related("role"))
    )


def user_list(*, viewer: User, search: str = "", role: str = "") -> QuerySet[User]:
    """Active users (admins also see inactive ones), optionally matching ``search`` in username,
    names, or (for admins) email; optionally holding ``role``."""
    from lyceum.access.checks import has_permission

    is_admin = has_permission(viewer, "users.view")
    users = User.objects.all() if is_admin else User.objects.filter(is_active=True)
    for term in search.split()[:5]:
        match = Q(username__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
        if is_admin:
            match |= Q(email__icontains=term)
        users = users.filter(match)
    if role:
        users = users.filter(user_roles__role__slug=role)
    return _with_roles(users).order_by("username")


def user_get(*, viewer: User, user_id: object) -> User | None:
    return user_list(viewer=viewer).filter(pk=user_id).first()


def user_with_profile(*, user_id: object) -> User:
    return _with_roles(User.objects.all()).get(pk=user_id)
