"""Accounts: users, their profiles and their roles."""

from __future__ import annotations

import uuid
import zoneinfo
from functools import cached_property
from pathlib import PurePath

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> User:
        return self.get(username__iexact=username)

    def _create(self, username: str, email: str, password: str | None, **fields) -> User:
        if not username:
            raise ValueError("A user needs a username")
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(username=username, email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        UserProfile.objects.using(self._db).get_or_create(user=user)  # every user has a profile
        return user

    def create_user(self, username: str, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(username, email, password, **fields)

    def create_superuser(self, username: str, email: str, password: str | None = None, **fields):
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(username, email, password, **fields)


class UsernameValidator(RegexValidator):
    """Letters, digits and . + - _ only. No "@": signing in takes an email address or a username,
    so a username must never be able to equal somebody's email address."""

    regex = r"^[\w.+-]+\Z"
    message = "Use only letters, digits and . + - _ in a username (no @)."
    flags = 0


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Email and username are unique whatever their case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(
        max_length=150,
        unique=True,
        validators=[UsernameValidator()],
        help_text="150 characters or fewer: letters, digits and . + - _ only.",
    )
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can log in to the Django admin site.")
    email_verified_at = models.DateTimeField(null=True, blank=True)
    google_subject = models.CharField(
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="The 'sub' of the Google account linked to this user.",
    )
    # Suspended by an admin (``lyceum.access.services.user_suspend``): is_active is off too.
    suspended_at = models.DateTimeField(null=True, blank=True, editable=False)
    suspension_reason = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Signing out everywhere: web sessions and access tokens from before this moment are void.
    sessions_valid_after = models.DateTimeField(null=True, blank=True, editable=False)
    # Token families (one per sign-in, kept across refreshes) signed out while their access
    # tokens may still be alive: family id -> expiry (epoch seconds). Read with the user, so
    # checking a token costs no query.
    revoked_token_families = models.JSONField(default=dict, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message="A user with this email address already exists.",
            ),
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message="A user with this username already exists.",
            ),
            # Email addresses always hold an "@", usernames never: the two cannot collide.
            models.CheckConstraint(
                condition=~models.Q(username__contains="@"),
                name="accounts_user_username_no_at",
                violation_error_message="A username cannot contain @.",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's session hash (over the password hash), also over ``sessions_valid_after``:
        ending every session (``sessions_end_all``) voids every session cookie, the sockets'
        included, without finding them."""
        stamp = self.sessions_valid_after.isoformat() if self.sessions_valid_after else ""
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            self.password + stamp,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @cached_property
    def role_slugs(self) -> frozenset[str]:
        """The user's role slugs: from ``user_roles`` if prefetched with their role, else from
        ``access_of`` (one query for roles, permissions and staff places together)."""
        if "user_roles" in getattr(self, "_prefetched_objects_cache", {}):
            return frozenset(user_role.role.slug for user_role in self.user_roles.all())
        from lyceum.access.checks import access_of

        return access_of(self).roles

    def has_role(self, slug: str) -> bool:
        return slug in self.role_slugs


def avatar_upload_to(profile: UserProfile, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    return f"avatars/{profile.user_id}/{uuid.uuid4().hex}{suffix}"


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{5,30}$",
    "Enter a phone number of digits, optionally starting with + (e.g. +44 20 7946 0958).",
)


def validate_timezone(value: str) -> None:
    # A validator, not choices: the tz database changes, and choices would change migrations with it.
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Paris).")


def validate_date_of_birth(value) -> None:
    if value > timezone.localdate():
        raise ValidationError("The date of birth cannot be in the future.")
    if value.year < 1900:
        raise ValidationError("The date of birth must be after 1900.")


class UserProfile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    bio = models.TextField(max_length=2000, blank=True)
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    phone = models.CharField(max_length=32, blank=True, validators=[phone_validator])
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_date_of_birth])
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    preferences = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class Role(models.Model):
    """Student, Instructor or Admin. A user may hold several."""

    STUDENT = "student"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"
    BUILT_IN = {
        STUDENT: ("Student", "Takes courses, quizzes and exams."),
        INSTRUCTOR: ("Instructor", "Builds courses and grades students."),
        ADMIN: ("Admin", "Manages users, roles and content."),
    }

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="user_roles")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="user_roles")
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="accounts_userrole_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role}"


class RotatedRefreshToken(models.Model):
    """A refresh token that was exchanged for a new pair. Presented again, it was copied (reuse):
    a token that was merely revoked (signed out, password changed) is not in here."""

    jti = models.CharField(max_length=255, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    rotated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"refresh token {self.jti} rotated at {self.rotated_at:%Y-%m-%d %H:%M}"
