"""Request and response shapes of the accounts API."""

from __future__ import annotations

import zoneinfo

from rest_framework import serializers

from lyceum.core.serializers import absolute_url

from ..models import User, phone_validator


class RoleListField(serializers.ListField):
    child = serializers.CharField()

    def to_representation(self, user_roles):
        return sorted(user_role.role.slug for user_role in user_roles.all())


class PreferencesSerializer(serializers.Serializer):
    """Known preferences only; anything else is refused."""

    theme = serializers.ChoiceField(choices=["system", "light", "dark"], required=False)
    email_notifications = serializers.BooleanField(required=False)
    language = serializers.ChoiceField(choices=["en"], required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError({key: ["Unknown preference."] for key in sorted(unknown)})
        return super().to_internal_value(data)


class UserPublicSerializer(serializers.ModelSerializer):
    """What any signed-in user may see of another."""

    roles = RoleListField(source="user_roles", read_only=True)
    avatar_url = serializers.SerializerMethodField()
    bio = serializers.CharField(source="profile.bio", read_only=True, default="")

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "avatar_url", "bio", "roles", "created_at"]
        read_only_fields = fields

    def get_avatar_url(self, user: User) -> str | None:
        profile = getattr(user, "profile", None)
        if profile is None or not profile.avatar:
            return None
        return absolute_url(self.context, profile.avatar.url)


class UserAdminViewSerializer(UserPublicSerializer):
    """What an admin (or the user themself) sees."""

    class Meta(UserPublicSerializer.Meta):
        fields = [*UserPublicSerializer.Meta.fields, "email", "is_active", "email_verified_at", "last_login"]
        read_only_fields = fields


class ProfileSerializer(serializers.Serializer):
    """The signed-in user's own account and profile (GET, PUT, PATCH /api/auth/profile/)."""

    id = serializers.UUIDField(read_only=True)
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    email_verified = serializers.BooleanField(source="is_email_verified", read_only=True)
    first_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    roles = RoleListField(source="user_roles", read_only=True)
    bio = serializers.CharField(source="profile.bio", max_length=2000, allow_blank=True, required=False)
    phone = serializers.CharField(
        source="profile.phone", max_length=32, allow_blank=True, required=False, validators=[phone_validator]
    )
    date_of_birth = serializers.DateField(source="profile.date_of_birth", allow_null=True, required=False)
    timezone = serializers.CharField(source="profile.timezone", max_length=64, required=False)
    preferences = PreferencesSerializer(source="profile.preferences", required=False)
    avatar_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_avatar_url(self, user: User) -> str | None:
        return UserPublicSerializer.get_avatar_url(self, user)

    def validate_timezone(self, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError("Not a known time zone (e.g. Europe/Paris).")
        return value

    def to_internal_value(self, data):
        # Read-only fields sent back from a GET are ignored, as DRF does; unknown ones are refused.
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
        return super().to_internal_value(data)

    def flat_changes(self) -> dict:
        """Validated data with the profile's fields lifted to the top."""
        data = dict(self.validated_data)
        data.update(data.pop("profile", {}))
        if "preferences" in data:
            merged = dict(getattr(self.instance.profile, "preferences", {}) or {})
            merged.update(data["preferences"])
            data["preferences"] = merged
        return data


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"}, max_length=256)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class LoginSerializer(serializers.Serializer):
    """``login`` is an email address or a username; ``email`` or ``username`` may stand for it."""

    login = serializers.CharField(max_length=254, required=False)
    email = serializers.CharField(max_length=254, required=False)
    username = serializers.CharField(max_length=254, required=False)
    password = serializers.CharField(max_length=256, style={"input_type": "password"})

    def validate(self, attrs):
        login = attrs.get("login") or attrs.get("email") or attrs.get("username")
        if not login:
            raise serializers.ValidationError({"login": ["Enter your email or username."]})
        return {"login": login, "password": attrs["password"]}


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class AuthResultSerializer(TokenPairSerializer):
    user = UserAdminViewSerializer()


class GoogleSignInSerializer(serializers.Serializer):
    id_token = serializers.CharField(max_length=8192)


class GoogleResultSerializer(AuthResultSerializer):
    created = serializers.BooleanField()


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096, required=False, allow_blank=True)


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=256)
    new_password = serializers.CharField(max_length=256)


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=256)


class EmailVerifySerializer(serializers.Serializer):
    token = serializers.CharField(max_length=512)


class AvatarSerializer(serializers.Serializer):
    avatar = serializers.FileField()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
