from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from lyceum.core.exceptions import AuthenticationError

from .models import User


def account_suspended() -> AuthenticationError:
    """The refusal a suspended user gets on signing in, by password or by Google."""
    return AuthenticationError(
        "This account is suspended. Contact the site's administrators.", code="account_suspended"
    )


class EmailOrUsernameBackend(ModelBackend):
    """Authenticates with an email address or a username (either case) and a password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs,
    ) -> User | None:
        login = username or kwargs.get("email") or kwargs.get("login")
        if not login or password is None:
            return None
        user = User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).first()
        if user is None:
            # Hash anyway so that a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if not user.check_password(password):
            return None
        if user.suspended_at is not None:
            # Only someone who knows the password learns that the account is suspended.
            raise account_suspended()
        return user if self.user_can_authenticate(user) else None

    def get_user(self, user_id):
        """The signed-in user of a session, with the profile pages read on every request (the
        theme) in the same query."""
        user = User.objects.select_related("profile").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
