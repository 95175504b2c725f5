from django.urls import path

from . import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("auth/login/", views.LoginView.as_view(), name="login"),
    path("auth/google/", views.GoogleSignInView.as_view(), name="google"),
    path("auth/token/refresh/", views.TokenRefreshView.as_view(), name="token_refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("auth/profile/", views.ProfileView.as_view(), name="profile"),
    path("auth/profile/avatar/", views.AvatarView.as_view(), name="avatar"),
    path("auth/password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("auth/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "auth/password/reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("auth/email/verify/", views.EmailVerifyView.as_view(), name="email_verify"),
    path("auth/email/verify/resend/", views.EmailVerifyResendView.as_view(), name="email_verify_resend"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/<uuid:id>/", views.UserDetailView.as_view(), name="user_detail"),
]
