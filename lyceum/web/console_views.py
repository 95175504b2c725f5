"""The admin console (/console/) and the instructor's students page: thin views over
``lyceum.access`` services and selectors, guarded by ``permission_required``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from lyceum.access import audit, selectors, services
from lyceum.access.checks import can_choose_staff_of, has_permission
from lyceum.access.guards import permission_required
from lyceum.access.registry import PERMISSIONS, STAFF_ROLES
from lyceum.accounts.models import Role
from lyceum.core.exceptions import ApplicationError, NotFound
from lyceum.courses.models import Course
from lyceum.courses.permissions import can_teach_course

PAGE_SIZE = 25
CONSOLE = ("users.view", "roles.manage", "audit.view")


@permission_required(*CONSOLE, any_of=True)
def console(request: HttpRequest) -> HttpResponse:
    search, role, status = (request.GET.get(key, "")[:200] for key in ("q", "role", "status"))
    users = selectors.admin_users(search=search, role=role, status=status)
    context = {
        "stats": selectors.platform_stats() if has_permission(request.user, "users.view") else None,
        "page": Paginator(users, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": urlencode(
            {key: value for key, value in (("q", search), ("role", role), ("status", status)) if value}
        ),
        "q": search,
        "role": role,
        "status": status,
        "roles": Role.objects.order_by("id"),
    }
    return render(request, "web/console/users.html", context)


class SuspendForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, widget=forms.TextInput)


@permission_required("users.view")
def console_user(request: HttpRequest, user_id) -> HttpResponse:
    user = selectors.admin_user(user_id=user_id)
    return render(
        request,
        "web/console/user.html",
        {
            "member": user,
            "facts": selectors.user_facts(user=user),
            "held": {user_role.role.slug for user_role in user.user_roles.all()},
            "roles": Role.objects.order_by("id"),
            "may_assign": has_permission(request.user, "roles.assign"),
            "may_suspend": has_permission(request.user, "users.suspend"),
            "suspend_form": SuspendForm(),
        },
    )


def _carry_out(request: HttpRequest, action, success: str) -> None:
    try:
        action()
    except ApplicationError as error:
        audit.nothing_changed()
        messages.error(request, error.message)
    else:
        messages.success(request, success)


@require_POST
@permission_required("roles.assign")
def console_user_roles(request: HttpRequest, user_id) -> HttpResponse:
    slugs = request.POST.getlist("roles")[:20]
    _carry_out(
        request,
        lambda: services.user_roles_set(actor=request.user, user_id=user_id, role_slugs=slugs),
        "Roles saved.",
    )
    return redirect("web:console_user", user_id=user_id)


@require_POST
@permission_required("users.suspend")
def console_user_suspend(request: HttpRequest, user_id) -> HttpResponse:
    form = SuspendForm(request.POST)
    if not form.is_valid():
        audit.nothing_changed()
        messages.error(request, "A reason has at most 500 characters.")
    elif request.POST.get("action") == "reactivate":
        _carry_out(
            request, lambda: services.user_reactivate(actor=request.user, user_id=user_id), "Reactivated."
        )
    else:
        _carry_out(
            request,
            lambda: services.user_suspend(
                actor=request.user, user_id=user_id, reason=form.cleaned_data["reason"]
            ),
            "Suspended: their sessions, tokens and sockets ended.",
        )
    return redirect("web:console_user", user_id=user_id)


class RoleForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    permissions = forms.MultipleChoiceField(
        choices=sorted(PERMISSIONS.items()), required=False, widget=forms.CheckboxSelectMultiple
    )


@require_http_methods(["GET", "POST"])
@permission_required("roles.manage")
def console_roles(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Role {form.cleaned_data['name']} created.")
            return redirect("web:console_roles")
    rows = [
        {
            "role": role,
            "permissions": set(granted),
            "holders": holders,
            "built_in": role.slug in Role.BUILT_IN,
        }
        for role, granted, holders in selectors.roles_with_permissions()
    ]
    return render(
        request,
        "web/console/roles.html",
        {"rows": rows, "form": form, "permissions": sorted(PERMISSIONS.items())},
    )


@require_POST
@permission_required("roles.manage")
def console_role(request: HttpRequest, role_id: int) -> HttpResponse:
    if request.POST.get("action") == "delete":
        _carry_out(
            request, lambda: services.role_delete(actor=request.user, role_id=role_id), "Role deleted."
        )
    else:
        wanted = [code for code in request.POST.getlist("permissions") if code in PERMISSIONS]
        _carry_out(
            request,
            lambda: services.role_update(actor=request.user, role_id=role_id, permissions=wanted),
            "Permissions saved.",
        )
    return redirect("web:console_roles")


@permission_required("audit.view")
def console_audit(request: HttpRequest) -> HttpResponse:
    actor, action = request.GET.get("actor", "")[:150], request.GET.get("action", "")[:100]
    entries = selectors.audit_log(actor=actor, action=action, target=request.GET.get("target", "")[:64])
    return render(
        request,
        "web/console/audit.html",
        {
            "page": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
            "actor": actor,
            "action": action,
            "query": urlencode(
                {key: value for key, value in (("actor", actor), ("action", action)) if value}
            ),
        },
    )


# --- the instructor's students page -------------------------------------------------------------


class StaffForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=list(STAFF_ROLES.items()))


@login_required
@require_http_methods(["GET", "POST"])
def teach_course_people(request: HttpRequest, course_id) -> HttpResponse:
    """The course's students with their progress, and its staff (chosen by its owner or an admin)."""
    from lyceum.accounts.models import User

    course = Course.objects.filter(pk=course_id).first()
    if course is None or not can_teach_course(request.user, course):
        raise NotFound("No such course among those you teach.")
    owner = can_choose_staff_of(request.user, course.instructor_id)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and owner:
        if request.POST.get("remove"):
            _carry_out(
                request,
                lambda: services.course_staff_remove(
                    actor=request.user, course_id=course.pk, user_id=request.POST["remove"]
                ),
                "Removed from the staff.",
            )
            return redirect("web:teach_course_people", course_id=course.pk)
        if form.is_valid():
            user = User.objects.filter(username__iexact=form.cleaned_data["username"]).first()
            if user is None:
                form.add_error("username", "No user with this username.")
            else:
                try:
                    services.course_staff_set(
                        actor=request.user,
                        course_id=course.pk,
                        user_id=user.pk,
                        role=form.cleaned_data["role"],
                    )
                except ApplicationError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, f"{user.username} is on the staff.")
                    return redirect("web:teach_course_people", course_id=course.pk)
    return render(
        request,
        "web/teach/people.html",
        {
            "course": course,
            "students": selectors.course_students(course=course, search=request.GET.get("q", "")[:200]),
            "staff": selectors.course_staff(course=course),
            "owner": owner,
            "form": form,
            "q": request.GET.get("q", ""),
        },
    )
