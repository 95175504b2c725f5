"""Request and response shapes of the admin and instructor-dashboard API."""

from __future__ import annotations

from rest_framework import serializers

from lyceum.accounts.api.serializers import RoleListField, UserPublicSerializer
from lyceum.accounts.models import User

from ..models import AuditLog, CourseStaff
from ..registry import PERMISSIONS, STAFF_ROLES


class AdminUserSerializer(serializers.ModelSerializer):
    roles = RoleListField(source="user_roles", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "roles",
            "is_active",
            "is_superuser",
            "suspended_at",
            "suspension_reason",
            "email_verified_at",
            "last_login",
            "created_at",
        ]
        read_only_fields = fields


class StaffPlaceSerializer(serializers.Serializer):
    course_id = serializers.UUIDField(source="course.pk")
    course_title = serializers.CharField(source="course.title")
    role = serializers.CharField()


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = [
            "id",
            "created_at",
            "actor_id",
            "actor_username",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "details",
            "ip",
            "user_agent",
            "method",
            "path",
        ]
        read_only_fields = fields


class AdminUserDetailSerializer(AdminUserSerializer):
    courses_taught = serializers.IntegerField(source="facts.courses_taught", read_only=True)
    enrollments = serializers.IntegerField(source="facts.enrollments", read_only=True)
    staff_of = StaffPlaceSerializer(source="facts.staff_of", many=True, read_only=True)
    audit = AuditEntrySerializer(source="facts.audit", many=True, read_only=True)

    class Meta(AdminUserSerializer.Meta):
        fields = [*AdminUserSerializer.Meta.fields, "courses_taught", "enrollments", "staff_of", "audit"]
        read_only_fields = fields


class RolesInSerializer(serializers.Serializer):
    roles = serializers.ListField(
        child=serializers.SlugField(max_length=50), allow_empty=False, max_length=20
    )


class SuspendInSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class PermissionSerializer(serializers.Serializer):
    codename = serializers.CharField()
    description = serializers.CharField()


class RoleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    built_in = serializers.BooleanField()
    permissions = serializers.ListField(child=serializers.CharField())
    holders = serializers.IntegerField()


class RoleInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(PERMISSIONS)),
        required=False,
        max_length=len(PERMISSIONS),
    )


class StatsSerializer(serializers.Serializer):
    users = serializers.DictField()
    courses = serializers.DictField()
    enrollments = serializers.IntegerField()
    quiz_attempts_this_week = serializers.IntegerField()


class CourseStaffSerializer(serializers.ModelSerializer):
    user = UserPublicSerializer(read_only=True)

    class Meta:
        model = CourseStaff
        fields = ["user", "role", "added_at"]
        read_only_fields = fields


class CourseStaffInSerializer(serializers.Serializer):
    user = serializers.UUIDField()
    role = serializers.ChoiceField(choices=sorted(STAFF_ROLES))


class TaughtCourseSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="course.pk")
    title = serializers.CharField(source="course.title")
    slug = serializers.CharField(source="course.slug")
    is_published = serializers.BooleanField(source="course.is_published")
    enrollment_count = serializers.IntegerField(source="course.enrollment_count")
    lesson_count = serializers.IntegerField(source="course.lesson_count")
    my_role = serializers.CharField(source="role")


class EssayWaitingSerializer(serializers.Serializer):
    answer_id = serializers.UUIDField(source="pk")
    attempt_id = serializers.UUIDField(source="attempt.pk")
    quiz_id = serializers.UUIDField(source="attempt.quiz.pk")
    quiz_title = serializers.CharField(source="attempt.quiz.title")
    course_title = serializers.CharField(source="attempt.quiz.course.title")
    student = serializers.CharField(source="attempt.user.username")
    submitted_at = serializers.DateTimeField(source="attempt.submitted_at")


class DashboardSerializer(serializers.Serializer):
    courses = TaughtCourseSerializer(many=True)
    essays_waiting = serializers.IntegerField()
    recent_essays = EssayWaitingSerializer(many=True)


class StudentProgressSerializer(serializers.Serializer):
    user = UserPublicSerializer()
    enrolled_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    lessons_completed = serializers.IntegerField()
    lesson_count = serializers.IntegerField()
    percent = serializers.IntegerField()
