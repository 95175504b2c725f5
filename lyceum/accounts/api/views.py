"""The accounts API: thin views that parse input, call one service and render the result."""

from __future__ import annotations

from django.contrib.auth import logout as session_logout
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lyceum.access.checks import has_permission
from lyceum.core.exceptions import NotFound
from lyceum.core.parsers import UPLOAD_PARSERS
from lyceum.core.throttling import AddressRateThrottle

from .. import selectors, services
from ..models import User
from . import serializers as s


def _auth_result(request: Request, user: User, **extra) -> dict:
    user = selectors.user_with_profile(user_id=user.pk)
    return {
        **services.tokens_issue(user=user),
        "user": s.UserAdminViewSerializer(user, context={"request": request}).data,
        **extra,
    }


ERRORS = {
    400: OpenApiResponse(description="Validation error: `error.fields` names each bad field."),
    401: OpenApiResponse(description="Not signed in, or the token is invalid or expired."),
}


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "register"

    @extend_schema(
        auth=[],  # needs no sign-in: generated clients call it with a plain client
        request=s.RegisterSerializer,
        responses={201: s.AuthResultSerializer, 400: ERRORS[400]},
        summary="Create an account (a Student) and sign in",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(**serializer.validated_data)
        return Response(_auth_result(request, user), status=status.HTTP_201_CREATED)


class LoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        auth=[],  # needs no sign-in: generated clients call it with a plain client
        request=s.LoginSerializer,
        responses={
            200: s.AuthResultSerializer,
            400: ERRORS[400],
            401: OpenApiResponse(description="Wrong email/username or password."),
            429: OpenApiResponse(description="Too many failed attempts; see Retry-After."),
        },
        summary="Sign in with email or username and password",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_authenticate(request=request, **serializer.validated_data)
        return Response(_auth_result(request, user))


class GoogleSignInView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "google_sign_in"

    @extend_schema(
        auth=[],  # needs no sign-in: generated clients call it with a plain client
        request=s.GoogleSignInSerializer,
        responses={
            200: s.GoogleResultSerializer,
            400: ERRORS[400],
            401: OpenApiResponse(
                description="The ID token is invalid, expired, for another "
                "application, or its email is unverified."
            ),
            409: OpenApiResponse(
                description="The address belongs to an account linked to another Google account, "
                "or to an account that never confirmed it (claim it by a password reset first)."
            ),
            429: OpenApiResponse(description="Too many sign-ins from this address; see Retry-After."),
            503: OpenApiResponse(description="Google sign-in is not configured."),
        },
        summary="Sign in with a Google ID token (creates the account on first use)",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.GoogleSignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, created = services.google_sign_in(id_token=serializer.validated_data["id_token"])
        return Response(_auth_result(request, user, created=created))


class TokenRefreshView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "token_refresh"

    @extend_schema(
        auth=[],  # needs no sign-in: generated clients call it with a plain client
        request=s.RefreshSerializer,
        responses={
            200: s.TokenPairSerializer,
            400: ERRORS[400],
            401: OpenApiResponse(description="Invalid, expired or reused refresh token."),
        },
        summary="Exchange a refresh token for a new pair (the old one stops working)",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(services.token_refresh(refresh=serializer.validated_data["refresh"]))


class LogoutView(APIView):
    @extend_schema(
        request=s.LogoutSerializer,
        responses={204: None, 401: ERRORS[401]},
        summary="Sign out: the refresh token is revoked (and the session ended)",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        family = request.auth.get("fam") if hasattr(request.auth, "get") else None
        services.logout(
            user=request.user, refresh=serializer.validated_data.get("refresh"), access_family=family
        )
        session_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _profile_response(request: Request, user: User | None = None) -> Response:
    user = user or selectors.user_with_profile(user_id=request.user.pk)
    return Response(s.ProfileSerializer(user, context={"request": request}).data)


class ProfileView(APIView):
    @extend_schema(
        responses={200: s.ProfileSerializer, 401: ERRORS[401]},
        summary="The signed-in user's account and profile",
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        return _profile_response(request)

    def _update(self, request: Request, *, partial: bool) -> Response:
        user = selectors.user_with_profile(user_id=request.user.pk)
        serializer = s.ProfileSerializer(user, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        user = services.profile_update(user=user, **serializer.flat_changes())
        return _profile_response(request, user)

    @extend_schema(
        request=s.ProfileSerializer,
        responses={200: s.ProfileSerializer, 400: ERRORS[400], 401: ERRORS[401]},
        summary="Replace the profile (username and email required)",
        tags=["auth"],
    )
    def put(self, request: Request) -> Response:
        return self._update(request, partial=False)

    @extend_schema(
        request=s.ProfileSerializer,
        responses={200: s.ProfileSerializer, 400: ERRORS[400], 401: ERRORS[401]},
        summary="Change some profile fields",
        tags=["auth"],
    )
    def patch(self, request: Request) -> Response:
        return self._update(request, partial=True)


class AvatarView(APIView):
    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        request={"multipart/form-data": s.AvatarSerializer},
        responses={200: s.ProfileSerializer, 400: ERRORS[400], 401: ERRORS[401]},
        summary="Upload an avatar (JPEG, PNG, WebP or GIF, at most AVATAR_MAX_BYTES)",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.AvatarSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.avatar_set(user=request.user, image=serializer.validated_data["avatar"])
        return _profile_response(request)

    @extend_schema(
        responses={200: s.ProfileSerializer, 401: ERRORS[401]}, summary="Remove the avatar", tags=["auth"]
    )
    def delete(self, request: Request) -> Response:
        services.avatar_remove(user=request.user)
        return _profile_response(request)


class PasswordChangeView(APIView):
    @extend_schema(
        request=s.PasswordChangeSerializer,
        responses={200: s.TokenPairSerializer, 400: ERRORS[400], 401: ERRORS[401]},
        summary="Change the password: every other session and token ends; a new pair is returned",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_change(user=request.user, **serializer.validated_data)
        session_logout(request._request)
        return Response(services.tokens_issue(user=request.user))


class PasswordResetView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "account_email"  # how often this server sends account emails on request

    @extend_schema(
        auth=[],  # needs no sign-in: generated clients call it with a plain client
        request=s.PasswordResetSerializer,
        responses={202: s.DetailSerializer, 400: ERRORS[400]},
        summary="Email a password reset link (answers the same whether the address is known)",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_request(email=serializer.validated_data["email"])
        return Response(
            {"detail": "If an account has this address, a reset link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        auth=[],  # needs no sign-in: generated clients call it with a plain client
        request=s.PasswordResetConfirmSerializer,
        responses={200: s.DetailSerializer, 400: ERRORS[400]},
        summary="Set a new password with the uid and token from the reset link",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.password_reset_confirm(
            uidb64=data["uid"], token=data["token"], new_password=data["new_password"]
        )
        return Response({"detail": "Your password was changed. Sign in with it."})


class EmailVerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        auth=[],  # needs no sign-in: generated clients call it with a plain client
        request=s.EmailVerifySerializer,
        responses={200: s.DetailSerializer, 400: ERRORS[400]},
        summary="Confirm an email address with the token from the link",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.EmailVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.email_verify(token=serializer.validated_data["token"])
        return Response({"detail": "Your email address is confirmed."})


class EmailVerifyResendView(APIView):
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "account_email"  # how often this server sends account emails on request

    @extend_schema(
        request=None,
        responses={
            202: s.DetailSerializer,
            401: ERRORS[401],
            409: OpenApiResponse(description="Already verified."),
        },
        summary="Send the verification email again",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        services.email_verification_send(user=request.user)
        return Response({"detail": "A verification link is on its way."}, status=status.HTTP_202_ACCEPTED)


def _is_admin(user: User) -> bool:
    return has_permission(user, "users.view")


class UserListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]

    def get_serializer_class(self):
        return s.UserAdminViewSerializer if _is_admin(self.request.user) else s.UserPublicSerializer

    def get_queryset(self):
        return selectors.user_list(
            viewer=self.request.user,
            search=self.request.query_params.get("search", "")[:200],
            role=self.request.query_params.get("role", "")[:50],
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "search", str, description="Words matched in username and names (and email, for admins)"
            ),
            OpenApiParameter("role", str, enum=["student", "instructor", "admin"]),
        ],
        responses={200: s.UserPublicSerializer(many=True), 401: ERRORS[401]},
        summary="List and search users",
        tags=["users"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class UserDetailView(APIView):
    @extend_schema(
        responses={
            200: s.UserPublicSerializer,
            401: ERRORS[401],
            404: OpenApiResponse(description="No such user."),
        },
        summary="A user's public details (email only to admins and the user themself)",
        tags=["users"],
    )
    def get(self, request: Request, id) -> Response:  # the contract names it {id}
        user = selectors.user_get(viewer=request.user, user_id=id)
        if user is None:
            raise NotFound("No such user.")
        full = _is_admin(request.user) or user.pk == request.user.pk
        serializer_class = s.UserAdminViewSerializer if full else s.UserPublicSerializer
        return Response(serializer_class(user, context={"request": request}).data)
