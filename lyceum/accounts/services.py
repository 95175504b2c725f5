"""Every write of accounts: registration, sign-in, tokens, passwords, email, profiles and roles."""

from __future__ import annotations

import io
import re
import secrets
import time
import uuid
from collections.abc import Iterable
from typing import Any, TypedDict

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from PIL import Image, UnidentifiedImageError
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from lyceum.core.events import publish
from lyceum.core.exceptions import AuthenticationError, Conflict

from . import emails, events
from .authentication import FAMILY_CLAIM, ISSUED_CLAIM
from .backends import account_suspended
from .google import GoogleIdTokenVerifier
from .models import Role, RotatedRefreshToken, User, UserProfile, UserRole
from .throttling import LoginGuard
from .tokens import email_verification_payload


class TokenPair(TypedDict):
    access: str
    refresh: str


INVALID_CREDENTIALS = "No active account matches this email or username and password."

# --- registration -------------------------------------------------------------------------------


def _check_unique(
    *, email: str | None = None, username: str | None = None, exclude: User | None = None
) -> None:
    errors: dict[str, list[str]] = {}
    others = User.objects.exclude(pk=exclude.pk) if exclude else User.objects.all()
    if email is not None and others.filter(email__iexact=email).exists():
        errors["email"] = ["A user with this email address already exists."]
    if username is not None and others.filter(username__iexact=username).exists():
        errors["username"] = ["A user with this username already exists."]
    if errors:
        raise ValidationError(errors)


def _save_unique(user: User) -> None:
    """Saves, turning a lost race on email or username into the same error a check would give."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        _check_unique(email=user.email, username=user.username, exclude=user)
        raise


@transaction.atomic
def user_create(
    *,
    email: str,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email_verified: bool = False,
    google_subject: str | None = None,
) -> User:
    """Creates a user with a profile and the Student role, and emails a verification link."""
    email = User.objects.normalize_email(email.strip())
    username = username.strip()
    _check_unique(email=email, username=username)
    user = User(
        email=email,
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        google_subject=google_subject,
        email_verified_at=timezone.now() if email_verified else None,
    )
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        user.set_password(password)
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    _save_unique(user)
    UserProfile.objects.create(user=user)
    role_assign(user=user, role_slugs=[Role.STUDENT])
    if not email_verified:
        emails.send_verification_email(user=user)
    publish(events.user_registered, user_id=user.pk)
    return user


# --- sign-in and tokens -------------------------------------------------------------------------


def user_authenticate(*, request: HttpRequest | None, login: str, password: str) -> User:
    """Checks a password for an email or username, within the brute-force limits.

    Raises ``TooManyRequests`` (429) before checking once the account or the client address has
    used up its failures (each attempt is counted before the check and given back on success),
    and ``AuthenticationError`` (401) on a wrong password.
    """
    guard = LoginGuard(request=request, login=login)
    guard.reserve()
    user = authenticate(request, username=login, password=password)
    if user is None:
        raise AuthenticationError(INVALID_CREDENTIALS, code="invalid_credentials")
    guard.succeeded()
    return user


def tokens_issue(*, user: User, family: str | None = None) -> TokenPair:
    """A new token pair. ``family`` names the sign-in the pair belongs to (kept across refreshes,
    so signing out ends every access token of that sign-in); a new sign-in starts one."""
    refresh = RefreshToken.for_user(user)
    refresh[FAMILY_CLAIM] = family or uuid.uuid4().hex
    refresh[ISSUED_CLAIM] = time.time()
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _decode_refresh(raw: str) -> dict[str, Any]:
    """Signature, expiry and type of a refresh token, without looking at the blacklist."""
    try:
        payload = token_backend.decode(raw, verify=True)
    except (TokenError, TokenBackendError):
        raise AuthenticationError(
            "The refresh token is invalid or expired.", code="token_not_valid"
        ) from None
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh":
        raise AuthenticationError("This is not a refresh token.", code="token_not_valid")
    return payload


def token_refresh(*, refresh: str) -> TokenPair:
    """Rotates a refresh token: the presented one is blacklisted, a new pair is returned.

    A refresh token that was already rotated and is presented again means it was copied: the user
    is signed out everywhere (``sessions_end_all``) and the caller gets 401. One that was revoked
    (signed out, password changed) just gets 401.
    """
    payload = _decode_refresh(refresh)
    jti = payload[jwt_settings.JTI_CLAIM]
    with transaction.atomic():
        outstanding = (
            OutstandingToken.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(jti=jti)
            .first()
        )
        if outstanding is None:
            raise AuthenticationError("The refresh token is not known.", code="token_not_valid")
        if not BlacklistedToken.objects.filter(token=outstanding).exists():
            user = outstanding.user
            if user is None or not user.is_active:
                raise AuthenticationError("This account is no longer active.", code="user_inactive")
            BlacklistedToken.objects.create(token=outstanding)
            RotatedRefreshToken.objects.create(jti=jti, user=user, expires_at=outstanding.expires_at)
            return tokens_issue(user=user, family=payload.get(FAMILY_CLAIM))
        was_rotated = RotatedRefreshToken.objects.filter(jti=jti).exists()
    if not was_rotated:
        raise AuthenticationError("This refresh token was revoked; sign in again.", code="token_revoked")
    if outstanding.user is not None:
        sessions_end_all(user=outstanding.user, reason="token_reuse")
    raise AuthenticationError(
        "This refresh token was already used. Every session of this account was signed out; sign in again.",
        code="token_reused",
    )


def tokens_flush_expired() -> int:
    """Deletes the records of refresh tokens that have expired anyway; returns how many."""
    now = timezone.now()
    rotated, _ = RotatedRefreshToken.objects.filter(expires_at__lt=now).delete()
    outstanding, _ = OutstandingToken.objects.filter(expires_at__lt=now).delete()
    return rotated + outstanding


def refresh_tokens_revoke_all(*, user: User) -> int:
    """Blacklists every unexpired refresh token of ``user``; returns how many."""
    pending = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    ).only("pk")
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in pending], ignore_conflicts=True
    )
    return len(created)


@transaction.atomic
def sessions_end_all(*, user: User, reason: str) -> None:
    """Signs the user out everywhere: every web session, refresh token and access token ends,
    and every open socket of theirs is closed."""
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(sessions_valid_after=now, updated_at=now)
    user.sessions_valid_after = now
    refresh_tokens_revoke_all(user=user)
    publish(events.sessions_revoked, user_id=user.pk, reason=reason)


def _revoke_families(*, user: User, families: set[str]) -> None:
    """Voids the access tokens of these sign-ins until they would have expired anyway."""
    families.discard("")
    if not families:
        return
    now = time.time()
    expiry = now + jwt_settings.ACCESS_TOKEN_LIFETIME.total_seconds()
    with transaction.atomic():
        locked = User.objects.select_for_update().only("revoked_token_families").get(pk=user.pk)
        revoked = {fam: exp for fam, exp in (locked.revoked_token_families or {}).items() if exp > now}
        revoked.update(dict.fromkeys(families, expiry))
        User.objects.filter(pk=user.pk).update(revoked_token_families=revoked)
    user.revoked_token_families = revoked


def logout(*, user: User, refresh: str | None, access_family: str | None = None) -> None:
    """Signs one sign-in out: its refresh token is blacklisted and its access tokens stop
    working at once, on the API and the sockets (a refresh token of someone else is refused)."""
    families = {access_family or ""}
    if refresh:
        payload = _decode_refresh(refresh)
        if str(payload.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
            raise AuthenticationError(
                "This refresh token belongs to another account.", code="token_not_valid"
            )
        families.add(str(payload.get(FAMILY_CLAIM) or ""))
        outstanding = OutstandingToken.objects.filter(jti=payload[jwt_settings.JTI_CLAIM]).first()
        if outstanding is not None:
            BlacklistedToken.objects.get_or_create(token=outstanding)
    _revoke_families(user=user, families=families)
    publish(events.user_logged_out, user_id=user.pk)


@transaction.atomic
def google_sign_in(*, id_token: str, verifier: GoogleIdTokenVerifier | None = None) -> tuple[User, bool]:
    """Signs in (or creates) the user a verified Google ID token names; returns (user, created).

    A user is found by the Google account's subject, else by the email address, which links the
    Google account to an existing user only if that user had confirmed the address. An account
    whose address was never confirmed may have been registered by someone else before the owner
    arrived (account pre-hijacking): linking it would let that person in beside her, so it is
    refused (409) and the owner claims the account with a password reset, which proves the address
    and ends every password, session, token and socket the account had.
    """
    identity = (verifier or GoogleIdTokenVerifier()).verify(id_token)
    user = User.objects.select_for_update().filter(google_subject=identity.subject).first()
    if user is None:
        user = User.objects.select_for_update().filter(email__iexact=identity.email).first()
        if user is not None:
            if user.google_subject:
                raise Conflict(
                    "This email address is linked to another Google account.",
                    code="google_account_conflict",
                )
            if user.email_verified_at is None:
                raise Conflict(
                    "An account uses this email address but never confirmed it, so it cannot be "
                    "joined to your Google account. If it is yours, reset its password from the "
                    "link we email to this address (that confirms it), then sign in with Google.",
                    code="google_link_unverified_account",
                )
            user.google_subject = identity.subject
            user.save(update_fields=["google_subject", "updated_at"])
    created = user is None
    if user is None:
        user = user_create(
            email=identity.email,
            username=_free_username(identity.email),
            password=None,
            first_name=identity.given_name,
            last_name=identity.family_name,
            email_verified=True,
            google_subject=identity.subject,
        )
    if user.suspended_at is not None:
        raise account_suspended()
    if not user.is_active:
        raise AuthenticationError("This account is disabled.", code="user_inactive")
    return user, created


def _free_username(email: str) -> str:
    base = re.sub(r"[^\w.+-]", "", email.split("@")[0])[:140] or "user"
    candidate = base
    while User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}{secrets.randbelow(10**6)}"
    return candidate


# --- passwords ----------------------------------------------------------------------------------


def _set_new_password(*, user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    refresh_tokens_revoke_all(user=user)
    emails.send_password_changed_email(user=user)
    publish(events.sessions_revoked, user_id=user.pk, reason="password_changed")


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Changes the password; every refresh token and every other session of the user ends."""
    if not user.check_password(current_password):
        raise ValidationError({"current_password": ["The current password is not correct."]})
    _set_new_password(user=user, password=new_password)


def password_reset_request(*, email: str) -> None:
    """Emails a one-time reset link if an active account has this address; silent otherwise."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is not None:
        emails.send_password_reset_email(user=user)


def _user_from_uid(uidb64: str) -> User | None:
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return User.objects.filter(pk=pk, is_active=True).first()
    except (ValueError, TypeError, OverflowError, ValidationError):
        return None


def password_reset_token_is_valid(*, uidb64: str, token: str) -> bool:
    user = _user_from_uid(uidb64)
    return user is not None and default_token_generator.check_token(user, token)


@transaction.atomic
def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> User:
    """Sets a new password with a reset link's token. The token works once: the new password
    hash changes what it signs."""
    user = _user_from_uid(uidb64)
    if user is None or not default_token_generator.check_token(user, token):
        raise ValidationError({"token": ["This password reset link is invalid, expired or already used."]})
    _set_new_password(user=user, password=new_password)
    if user.email_verified_at is None:
        # Following the link proved the address is theirs.
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at", "updated_at"])
    return user


# --- email verification -------------------------------------------------------------------------


def email_verification_send(*, user: User) -> None:
    if user.email_verified_at is not None:
        raise Conflict("This email address is already verified.", code="already_verified")
    emails.send_verification_email(user=user)


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Marks the address a verification link names as verified (again is harmless)."""
    payload = email_verification_payload(token=token)
    user = None
    if payload is not None:
        user = User.objects.select_for_update().filter(pk=payload["user"]).first()
    if user is None or user.email.lower() != payload["email"].lower():
        raise ValidationError({"token": ["This verification link is invalid or expired."]})
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at", "updated_at"])
    return user


# --- profile ------------------------------------------------------------------------------------

USER_FIELDS = ("username", "email", "first_name", "last_name")
PROFILE_FIELDS = ("bio", "phone", "date_of_birth", "timezone", "preferences")


@transaction.atomic
def profile_update(*, user: User, **changes: Any) -> User:
    """Updates the user's names, username, email and profile fields given in ``changes``.

    ``user`` is changed in place (its prefetched profile and roles stay usable). A new email
    address must be verified again.
    """
    unknown = set(changes) - set(USER_FIELDS) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    User.objects.select_for_update().filter(pk=user.pk).exists()  # one writer at a time
    try:
        profile = user.profile
    except UserProfile.DoesNotExist:
        profile = UserProfile.objects.create(user=user)
    email_changed = "email" in changes and changes["email"].strip().lower() != user.email.lower()
    _check_unique(
        email=changes["email"].strip() if email_changed else None,
        username=changes["username"].strip() if "username" in changes else None,
        exclude=user,
    )
    for name in USER_FIELDS:
        if name in changes:
            value = changes[name].strip()
            setattr(user, name, User.objects.normalize_email(value) if name == "email" else value)
    if email_changed:
        user.email_verified_at = None
    for name in PROFILE_FIELDS:
        if name in changes:
            setattr(profile, name, changes[name])
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    profile.full_clean(exclude=["user", "avatar"])
    _save_unique(user)
    profile.save()
    if email_changed:
        emails.send_verification_email(user=user)
    return user


ALLOWED_AVATAR_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
AVATAR_SIZE = 512


def read_image(image: UploadedFile, *, field: str = "avatar") -> Image.Image:
    """Opens an uploaded image after checking it by content: JPEG, PNG, WebP or GIF, at most
    AVATAR_MAX_BYTES and AVATAR_MAX_PIXELS. Errors name ``field``."""
    if image.size is not None and image.size > settings.AVATAR_MAX_BYTES:
        limit = settings.AVATAR_MAX_BYTES // 1024
        raise ValidationError({field: [f"The image is larger than {limit} KB."]})
    data = image.read(settings.AVATAR_MAX_BYTES + 1)
    if len(data) > settings.AVATAR_MAX_BYTES:
        raise ValidationError({field: ["The image is too large."]})
    not_an_image = ValidationError({field: ["Upload a JPEG, PNG, WebP or GIF image."]})
    try:
        picture = Image.open(io.BytesIO(data))
        if picture.format not in ALLOWED_AVATAR_FORMATS:
            raise not_an_image
        width, height = picture.size
        if width * height > settings.AVATAR_MAX_PIXELS:
            raise ValidationError({field: ["The image has too many pixels (at most 4096 x 4096)."]})
        picture.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise not_an_image from None
    return picture


@transaction.atomic
def avatar_set(*, user: User, image: UploadedFile) -> UserProfile:
    """Stores a new avatar: checked by content (not name), scaled to 512 px and re-encoded as WebP,
    which drops any metadata (such as GPS position) the original carried."""
    picture = read_image(image)
    picture = picture.convert("RGBA" if "A" in picture.getbands() or picture.mode == "P" else "RGB")
    picture.thumbnail((AVATAR_SIZE, AVATAR_SIZE))
    out = io.BytesIO()
    picture.save(out, format="WEBP", quality=85)
    profile = UserProfile.objects.select_for_update().get_or_create(user=user)[0]
    old = profile.avatar.name if profile.avatar else None
    profile.avatar.save("avatar.webp", ContentFile(out.getvalue()), save=True)
    if old:
        storage = profile.avatar.storage
        transaction.on_commit(lambda: storage.delete(old))
    return profile


@transaction.atomic
def avatar_remove(*, user: User) -> UserProfile:
    profile = UserProfile.objects.select_for_update().get_or_create(user=user)[0]
    if profile.avatar:
        old, storage = profile.avatar.name, profile.avatar.storage
        profile.avatar = ""
        profile.save(update_fields=["avatar", "updated_at"])
        transaction.on_commit(lambda: storage.delete(old))
    return profile


# --- roles --------------------------------------------------------------------------------------


def roles_ensure() -> dict[str, Role]:
    """The built-in roles, created if missing."""
    roles = {role.slug: role for role in Role.objects.filter(slug__in=Role.BUILT_IN)}
    missing = [
        Role(slug=slug, name=name, description=description)
        for slug, (name, description) in Role.BUILT_IN.items()
        if slug not in roles
    ]
    if missing:
        from lyceum.access.services import built_in_defaults

        Role.objects.bulk_create(missing, ignore_conflicts=True)
        roles = {role.slug: role for role in Role.objects.filter(slug__in=Role.BUILT_IN)}
        built_in_defaults(role for role in roles.values() if role.slug in {r.slug for r in missing})
    return roles


def role_assign(*, user: User, role_slugs: Iterable[str], assigned_by: User | None = None) -> None:
    """Gives ``user`` the roles (harmless for roles they already hold)."""
    wanted = set(role_slugs)
    roles = {role.slug: role for role in Role.objects.filter(slug__in=wanted)}
    if wanted - roles.keys() - Role.BUILT_IN.keys():
        unknown = ", ".join(sorted(wanted - roles.keys() - Role.BUILT_IN.keys()))
        raise ValidationError({"role": [f"There is no role {unknown}."]})
    if wanted - roles.keys():
        roles = {slug: role for slug, role in roles_ensure().items() if slug in wanted}
    UserRole.objects.bulk_create(
        [UserRole(user=user, role=role, assigned_by=assigned_by) for role in roles.values()],
        ignore_conflicts=True,
    )
    from lyceum.access.checks import forget

    forget(user)
