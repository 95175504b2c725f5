"""The admin console's API (/api/admin/) and the instructor dashboard's (/api/instructor/):
thin views over ``access.services`` and ``access.selectors``; ``HasPermission`` guards each."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lyceum.accounts.models import Role
from lyceum.core.exceptions import NotFound
from lyceum.courses.models import Course
from lyceum.courses.permissions import can_teach_course
from lyceum.quizzes.selectors import essays_to_grade

from .. import selectors, services
from ..guards import HasPermission
from ..registry import PERMISSIONS
from . import serializers as s

E409 = OpenApiResponse(description="Refused by a rule (the message says which): e.g. the last admin.")


def _user_detail(request: Request, user_id) -> Response:
    user = selectors.admin_user(user_id=user_id)
    user.facts = selectors.user_facts(user=user)
    return Response(s.AdminUserDetailSerializer(user, context={"request": request}).data)


class AdminUserListView(generics.ListAPIView):
    permission_classes = [HasPermission("users.view")]
    serializer_class = s.AdminUserSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.admin_users(
            search=params.get("search", "")[:200],
            role=params.get("role", "")[:50],
            status=params.get("status", "")[:20],
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Words matched in username, names and email"),
            OpenApiParameter("role", str, description="A role's slug"),
            OpenApiParameter("status", str, enum=["active", "suspended"]),
        ],
        summary="Every user, for admins (newest first)",
        tags=["admin"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class AdminUserDetailView(APIView):
    permission_classes = [HasPermission("users.view")]

    @extend_schema(
        responses={200: s.AdminUserDetailSerializer}, summary="One user, for admins", tags=["admin"]
    )
    def get(self, request: Request, id) -> Response:
        return _user_detail(request, id)


class AdminUserRoleView(APIView):
    permission_classes = [HasPermission("roles.assign")]

    @extend_schema(
        request=s.RolesInSerializer,
        responses={200: s.AdminUserDetailSerializer, 409: E409},
        summary="Set a user's roles (the whole set: roles not listed are taken away)",
        tags=["admin"],
    )
    def post(self, request: Request, id) -> Response:
        serializer = s.RolesInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_roles_set(actor=request.user, user_id=id, role_slugs=serializer.validated_data["roles"])
        return _user_detail(request, id)


class AdminUserSuspendView(APIView):
    permission_classes = [HasPermission("users.suspend")]

    @extend_schema(
        request=s.SuspendInSerializer,
        responses={200: s.AdminUserDetailSerializer, 409: E409},
        summary="Suspend a user: their tokens, sessions and sockets stop working at once",
        tags=["admin"],
    )
    def post(self, request: Request, id) -> Response:
        serializer = s.SuspendInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_suspend(actor=request.user, user_id=id, reason=serializer.validated_data["reason"])
        return _user_detail(request, id)


class AdminUserReactivateView(APIView):
    permission_classes = [HasPermission("users.suspend")]

    @extend_schema(
        request=None,
        responses={200: s.AdminUserDetailSerializer, 409: E409},
        summary="Reactivate a suspended user (they sign in again)",
        tags=["admin"],
    )
    def post(self, request: Request, id) -> Response:
        services.user_reactivate(actor=request.user, user_id=id)
        return _user_detail(request, id)


def _role_rows(role_id=None) -> list[dict]:
    return [
        {
            "id": role.pk,
            "slug": role.slug,
            "name": role.name,
            "description": role.description,
            "built_in": role.slug in Role.BUILT_IN,
            "permissions": permissions,
            "holders": holders,
        }
        for role, permissions, holders in selectors.roles_with_permissions()
        if role_id is None or role.pk == role_id
    ]


def _one_role(role_id) -> Response:
    rows = _role_rows(role_id)
    if not rows:
        raise NotFound("No such role.")
    return Response(s.RoleSerializer(rows[0]).data)


class RoleListView(APIView):
    # Those who assign roles see them too; only role managers change them.
    def get_permissions(self):
        if self.request.method == "GET":
            return [HasPermission("roles.assign", "roles.manage", any_of=True)()]
        return [HasPermission("roles.manage")()]

    @extend_schema(responses={200: s.RoleSerializer(many=True)}, summary="Every role", tags=["admin"])
    def get(self, request: Request) -> Response:
        return Response(s.RoleSerializer(_role_rows(), many=True).data)

    @extend_schema(
        request=s.RoleInSerializer,
        responses={201: s.RoleSerializer, 409: E409},
        summary="Create a role (e.g. Teaching Assistant, Moderator)",
        tags=["admin"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.RoleInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        role = services.role_create(actor=request.user, **serializer.validated_data)
        response = _one_role(role.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class RoleDetailView(APIView):
    permission_classes = [HasPermission("roles.manage")]

    @extend_schema(responses={200: s.RoleSerializer}, summary="One role", tags=["admin"])
    def get(self, request: Request, id: int) -> Response:
        return _one_role(id)

    @extend_schema(
        request=s.RoleInSerializer(partial=True),
        responses={200: s.RoleSerializer, 409: E409},
        summary="Rename a role or set its permissions (the admin role keeps every one)",
        tags=["admin"],
    )
    def patch(self, request: Request, id: int) -> Response:
        serializer = s.RoleInSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.role_update(actor=request.user, role_id=id, **serializer.validated_data)
        return _one_role(id)

    @extend_schema(
        responses={204: None, 409: E409},
        summary="Delete a role nobody holds (not a built-in one)",
        tags=["admin"],
    )
    def delete(self, request: Request, id: int) -> Response:
        services.role_delete(actor=request.user, role_id=id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PermissionListView(APIView):
    permission_classes = [HasPermission("roles.assign", "roles.manage", any_of=True)]

    @extend_schema(
        responses={200: s.PermissionSerializer(many=True)},
        summary="Every permission roles can hold",
        tags=["admin"],
    )
    def get(self, request: Request) -> Response:
        rows = [{"codename": code, "description": text} for code, text in sorted(PERMISSIONS.items())]
        return Response(s.PermissionSerializer(rows, many=True).data)


class AuditLogView(generics.ListAPIView):
    permission_classes = [HasPermission("audit.view")]
    serializer_class = s.AuditEntrySerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.audit_log(
            actor=params.get("actor", "")[:150],
            action=params.get("action", "")[:100],
            target=params.get("target", "")[:64],
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("actor", str, description="Username of who acted"),
            OpenApiParameter("action", str, description="An action, or its start (user., role.)"),
            OpenApiParameter("target", str, description="The id of what was acted on"),
        ],
        summary="The audit log of admin actions, newest first (read-only)",
        tags=["admin"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class StatsView(APIView):
    permission_classes = [HasPermission("users.view")]

    @extend_schema(responses={200: s.StatsSerializer}, summary="The platform at a glance", tags=["admin"])
    def get(self, request: Request) -> Response:
        return Response(s.StatsSerializer(selectors.platform_stats()).data)


# --- the instructor's side ----------------------------------------------------------------------


def _taught(request: Request, course_id) -> Course:
    course = Course.objects.filter(pk=course_id).first()
    if course is None or not can_teach_course(request.user, course):
        raise NotFound("No such course among those you teach.")
    return course


class DashboardView(APIView):
    @extend_schema(
        responses={200: s.DashboardSerializer},
        summary="Your courses (owned and as staff) and the essays waiting for your grade",
        tags=["instructor"],
    )
    def get(self, request: Request) -> Response:
        essays = essays_to_grade(grader=request.user)
        data = {
            "courses": selectors.taught_courses(user=request.user),
            "essays_waiting": essays.count(),
            "recent_essays": list(essays[:10]),
        }
        return Response(s.DashboardSerializer(data).data)


class CourseStaffView(APIView):
    @extend_schema(
        responses={200: s.CourseStaffSerializer(many=True)},
        summary="A course's co-instructors and TAs (its staff see them)",
        tags=["instructor"],
    )
    def get(self, request: Request, id) -> Response:
        course = _taught(request, id)
        staff = selectors.course_staff(course=course)
        return Response(s.CourseStaffSerializer(staff, many=True, context={"request": request}).data)

    @extend_schema(
        request=s.CourseStaffInSerializer,
        responses={201: s.CourseStaffSerializer, 409: E409},
        summary="Add a co-instructor or TA (the course's instructor or an admin), or change their role",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        services.course_for_staff(request.user, id)  # others' courses are not revealed, whatever the body
        serializer = s.CourseStaffInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        staff = services.course_staff_set(
            actor=request.user,
            course_id=id,
            user_id=serializer.validated_data["user"],
            role=serializer.validated_data["role"],
        )
        return Response(
            s.CourseStaffSerializer(staff, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class CourseStaffMemberView(APIView):
    @extend_schema(responses={204: None}, summary="Take someone off a course's staff", tags=["instructor"])
    def delete(self, request: Request, id, user_id) -> Response:
        services.course_staff_remove(actor=request.user, course_id=id, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseStudentsView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="Words matched in username and names")],
        responses={200: s.StudentProgressSerializer(many=True)},
        summary="A course's students and their progress (its instructor, co-instructors and TAs)",
        tags=["instructor"],
    )
    def get(self, request: Request, id) -> Response:
        course = _taught(request, id)
        rows = selectors.course_students(course=course, search=request.query_params.get("search", "")[:200])
        return Response(s.StudentProgressSerializer(rows, many=True, context={"request": request}).data)
