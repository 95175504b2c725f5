"""Pages of the web shell. Each view parses a form, calls one accounts service and renders."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.contrib.auth import login as session_login
from django.contrib.auth import logout as session_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lyceum.accounts import selectors, services
from lyceum.core.errors import json_error
from lyceum.core.exceptions import ApplicationError, AuthenticationError, Conflict, TooManyRequests
from lyceum.core.middleware import is_api_request

from . import forms

TIMEZONES = sorted(zoneinfo.available_timezones())


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def home(request: HttpRequest) -> HttpResponse:
    """The public home, or the signed-in learner's dashboard: where to continue, my courses with
    their progress, open quizzes by deadline, recent notifications; for instructors, their
    courses and the essays waiting for grading. Each part is an API call for the mobile app."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "web/home.html")
    from lyceum.courses import selectors as course_selectors
    from lyceum.courses.permissions import can_teach
    from lyceum.notifications.selectors import notifications_for
    from lyceum.quizzes import selectors as quiz_selectors

    context = {
        "continue_at": course_selectors.continue_learning(user=user),
        "enrollments": list(course_selectors.my_enrollments(user=user)[:6]),
        "open_quizzes": quiz_selectors.open_quizzes(user=user, limit=6),
        "notifications": list(notifications_for(user=user)[:5]),
        "play": _play(user),
    }
    if can_teach(user):
        context["teaching"] = list(
            course_selectors.course_catalog(viewer=user, mine=True, ordering="title")[:6]
        )
        to_grade = quiz_selectors.essays_to_grade(grader=user)
        context["to_grade"] = list(to_grade[:5])
        context["to_grade_count"] = to_grade.count()
    return render(request, "web/dashboard.html", context)


def _play(user) -> dict:
    """The dashboard's strip: streak, level, this week's challenges (GET streak/, my-level/,
    challenges/)."""
    from lyceum.gamification import selectors as play
    from lyceum.gamification.models import UserStreak

    streak = UserStreak.objects.filter(user=user, course__isnull=True).first()
    return {
        "streak": streak.current if streak else 0,
        "longest": streak.longest if streak else 0,
        "status": play.level_status(user=user),
        "challenges": play.challenge_rows(user=user, challenges=list(play.active_challenges()[:3])),
    }


@login_required
@require_POST
def challenge_complete(request: HttpRequest, challenge_id) -> HttpResponse:
    from lyceum.core.exceptions import ApplicationError
    from lyceum.gamification import services as play

    try:
        completion = play.challenge_complete(user=request.user, challenge_id=challenge_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Challenge complete: +{completion.challenge.reward_points} points.")
    return redirect("web:home")


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """Every notification, newest first, a page at a time; "mark all read"."""
    from django.core.paginator import Paginator

    from lyceum.notifications import services as notification_services
    from lyceum.notifications.selectors import notifications_for

    if request.method == "POST":
        count = notification_services.mark_read(user=request.user)
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
        return redirect("web:notifications")
    page = Paginator(notifications_for(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "web/notifications.html", {"page": page})


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:profile")
    form = forms.RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.user_create(**form.cleaned_data)
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                session_login(request, user)
                messages.success(
                    request, "Welcome to Lyceum! We sent you a link to confirm your email address."
                )
                return redirect("web:profile")
        status = 400
    return render(request, "web/register.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, reverse("web:home"))
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    form = forms.LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = services.user_authenticate(request=request, **form.cleaned_data)
            except TooManyRequests as error:
                form.add_error(None, error.message)
                response = render(request, "web/login.html", _login_context(form, next_url), status=429)
                response["Retry-After"] = str(error.retry_after)
                return response
            except AuthenticationError as error:
                form.add_error(None, error.message)
                status = 401
            else:
                session_login(request, user)
                return redirect(next_url)
    return render(request, "web/login.html", _login_context(form, next_url), status=status)


@csrf_exempt  # Google posts here from its own page: its double-submit token is checked instead
@require_POST
def login_google(request: HttpRequest) -> HttpResponse:
    """Google Identity Services' redirect mode: Google posts the ID token (``credential``) and a
    ``g_csrf_token`` that must equal the ``g_csrf_token`` cookie it set (Google's double-submit
    CSRF check). The token is verified like the API's (signature, audience, issuer, expiry,
    verified email) and the same rule applies: never join an account that did not confirm its
    address."""
    from lyceum.core import ratelimit
    from lyceum.core.throttling import AddressRateThrottle

    cookie = request.COOKIES.get("g_csrf_token", "")
    posted = request.POST.get("g_csrf_token", "")
    if not cookie or not constant_time_compare(cookie, posted):
        messages.error(request, "Google sign-in failed its security check. Try again.")
        return redirect("web:login")
    try:
        ratelimit.hit("google_sign_in", "ip:" + (AddressRateThrottle().get_ident(request) or "unknown"))
        user, created = services.google_sign_in(id_token=request.POST.get("credential", ""))
    except TooManyRequests as error:
        messages.error(request, error.message)
        return redirect("web:login")
    except (AuthenticationError, Conflict) as error:
        messages.error(request, error.message)
        return redirect("web:login")
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("web:login")
    session_login(request, user, backend="lyceum.accounts.backends.EmailOrUsernameBackend")
    if created:
        messages.success(request, "Welcome to Lyceum! Your account was created from your Google account.")
    return redirect("web:home")


def _login_context(form, next_url: str) -> dict:
    from django.conf import settings

    client_ids = settings.GOOGLE_CLIENT_ID
    return {"form": form, "next": next_url, "google_client_id": client_ids[0] if client_ids else ""}


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site signs in through the same page (and the same brute-force limits)."""
    next_url = _safe_next(request, reverse("admin:index"))
    return redirect(f"{reverse('web:login')}?next={next_url}")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.logout(user=request.user, refresh=None)
    session_logout(request)
    messages.info(request, "You are signed out.")
    return redirect("web:home")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
        return render(request, "web/password_reset_sent.html", {"email": form.cleaned_data["email"]})
    return render(
        request, "web/password_reset.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    if not services.password_reset_token_is_valid(uidb64=uidb64, token=token):
        return render(request, "web/password_reset_invalid.html", status=400)
    form = forms.NewPasswordForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.password_reset_confirm(
                    uidb64=uidb64, token=token, new_password=form.cleaned_data["new_password"]
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, "Your password was changed. Sign in with it.")
                return redirect("web:login")
    return render(
        request,
        "web/password_reset_confirm.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.email_verify(token=token)
    except ValidationError:
        return render(request, "web/verify_email.html", {"ok": False}, status=400)
    return render(request, "web/verify_email.html", {"ok": True, "verified_user": user})


@login_required
@require_POST
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    try:
        services.email_verification_send(user=request.user)
    except Conflict as error:
        messages.info(request, error.message)
    else:
        messages.success(request, f"We sent a new confirmation link to {request.user.email}.")
    return redirect("web:profile")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = selectors.user_with_profile(user_id=request.user.pk)
    return render(request, "web/profile.html", {"profile_user": user})


def _profile_form_initial(user) -> dict:
    profile = user.profile
    preferences = profile.preferences or {}
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "bio": profile.bio,
        "phone": profile.phone,
        "date_of_birth": profile.date_of_birth,
        "timezone": profile.timezone,
        "theme": preferences.get("theme", "system"),
        "email_notifications": preferences.get("email_notifications", True),
    }


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = selectors.user_with_profile(user_id=request.user.pk)
    form = forms.ProfileForm(request.POST or None, initial=_profile_form_initial(user))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.profile_update(user=user, **form.changes(user.profile))
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("web:profile")
    return _render_edit(request, user, form=form, status=400 if request.method == "POST" else 200)


def _render_edit(request, user, *, form=None, avatar_form=None, password_form=None, status=200):
    return render(
        request,
        "web/profile_edit.html",
        {
            "profile_user": user,
            "form": form or forms.ProfileForm(initial=_profile_form_initial(user)),
            "avatar_form": avatar_form or forms.AvatarForm(),
            "password_form": password_form or forms.PasswordChangeForm(),
            "timezones": TIMEZONES,
        },
        status=status,
    )


@login_required
@require_POST
def profile_avatar(request: HttpRequest) -> HttpResponse:
    user = selectors.user_with_profile(user_id=request.user.pk)
    if request.POST.get("remove"):
        services.avatar_remove(user=user)
        messages.success(request, "Your avatar was removed.")
        return redirect("web:profile")
    form = forms.AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.avatar_set(user=user, image=form.cleaned_data["avatar"])
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, "Your new avatar is saved.")
            return redirect("web:profile")
    return _render_edit(request, user, avatar_form=form, status=400)


@login_required
@require_POST
def profile_password(request: HttpRequest) -> HttpResponse:
    user = selectors.user_with_profile(user_id=request.user.pk)
    form = forms.PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            services.password_change(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            # Keep this session; every other session of the user has ended.
            update_session_auth_hash(request, user)
            messages.success(request, "Your password was changed. Other sessions were signed out.")
            return redirect("web:profile")
    return _render_edit(request, user, password_form=form, status=400)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return json_error(404, "not_found", "No API endpoint at this address.")
    reason = getattr(exception, "message", "") if exception is not None else ""
    return render(request, "web/404.html", {"reason": reason}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return json_error(403, "permission_denied", "You do not have permission to do this.")
    reason = getattr(exception, "message", None) or (str(exception) if exception else "")
    return render(request, "web/403.html", {"reason": reason}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return json_error(500, "server_error", "Something went wrong on our side. It was logged.")
    return render(request, "web/500.html", status=500)
