"""Request and response shapes of the courses API."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from ..models import CURRENCIES, Course, Lesson, LessonResource, Module


class InstructorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    display_name = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


def _file_url(context, field) -> str | None:
    if not field:
        return None
    request = context.get("request")
    return request.build_absolute_uri(field.url) if request else field.url


class CourseListSerializer(serializers.ModelSerializer):
    instructor = InstructorSerializer(read_only=True)
    category = CategorySerializer(read_only=True, allow_null=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    is_free = serializers.BooleanField(read_only=True)
    lesson_count = serializers.IntegerField(read_only=True)
    cover_image_url = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "slug",
            "summary",
            "instructor",
            "price",
            "currency",
            "is_free",
            "level",
            "category",
            "tags",
            "cover_image_url",
            "is_published",
            "published_at",
            "enrollment_count",
            "lesson_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_cover_image_url(self, course: Course) -> str | None:
        return _file_url(self.context, course.cover_image)


class LessonOutlineSerializer(serializers.ModelSerializer):
    has_video = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ["id", "title", "order", "estimated_minutes", "is_preview", "has_video"]
        read_only_fields = fields

    def get_has_video(self, lesson: Lesson) -> bool:
        return bool(lesson.video_url or lesson.video_file)


class ModuleOutlineSerializer(serializers.ModelSerializer):
    lessons = LessonOutlineSerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "title", "order", "lessons"]
        read_only_fields = fields


class ViewerStatusSerializer(serializers.Serializer):
    is_enrolled = serializers.BooleanField()
    enrolled_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    can_manage = serializers.BooleanField()


class CourseDetailSerializer(CourseListSerializer):
    modules = ModuleOutlineSerializer(many=True, read_only=True)
    viewer = serializers.SerializerMethodField()

    class Meta(CourseListSerializer.Meta):
        fields = [*CourseListSerializer.Meta.fields, "description", "modules", "viewer"]
        read_only_fields = fields

    def get_viewer(self, course: Course) -> dict:
        status = self.context.get("viewer_status") or {}
        return (
            ViewerStatusSerializer(status).data
            if status
            else {"is_enrolled": False, "enrolled_at": None, "completed_at": None, "can_manage": False}
        )


class ResourceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = LessonResource
        fields = ["id", "title", "url"]

    def get_url(self, resource: LessonResource) -> str | None:
        return _file_url(self.context, resource.file)


class LessonDetailSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="lesson.id")
    title = serializers.CharField(source="lesson.title")
    content_html = serializers.CharField(source="lesson.content_html")
    video_url = serializers.CharField(source="lesson.video_url")
    video_file_url = serializers.SerializerMethodField()
    resources = ResourceSerializer(source="lesson.resources", many=True)
    estimated_minutes = serializers.IntegerField(source="lesson.estimated_minutes")
    is_preview = serializers.BooleanField(source="lesson.is_preview")
    module = serializers.SerializerMethodField()
    course = serializers.SerializerMethodField()
    previous_lesson_id = serializers.UUIDField(source="previous_id", allow_null=True)
    next_lesson_id = serializers.UUIDField(source="next_id", allow_null=True)
    is_completed = serializers.BooleanField()

    def get_video_file_url(self, view) -> str | None:
        return _file_url(self.context, view.lesson.video_file)

    def get_module(self, view) -> dict:
        return {"id": str(view.lesson.module.id), "title": view.lesson.module.title}

    def get_course(self, view) -> dict:
        return {"id": str(view.course.id), "slug": view.course.slug, "title": view.course.title}


class ModuleProgressSerializer(serializers.Serializer):
    module_id = serializers.UUIDField()
    title = serializers.CharField()
    completed = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class CourseProgressSerializer(serializers.Serializer):
    course_id = serializers.UUIDField()
    completed = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)
    completed_lesson_ids = serializers.ListField(child=serializers.UUIDField())
    modules = ModuleProgressSerializer(many=True)


class EnrollmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    course = CourseListSerializer()
    enrolled_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    lessons_completed = serializers.IntegerField(source="lesson_completed")
    lessons_total = serializers.IntegerField(source="lesson_total")
    percent = serializers.SerializerMethodField()

    def get_percent(self, enrollment) -> int:
        total = enrollment.lesson_total
        return round(100 * enrollment.lesson_completed / total) if total else 0


class LessonCompleteSerializer(serializers.Serializer):
    time_spent_seconds = serializers.IntegerField(min_value=0, max_value=24 * 3600, required=False, default=0)


# --- instructor ---------------------------------------------------------------------------------


class CourseWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=220, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=50_000)
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, min_value=Decimal("0.00")
    )
    currency = serializers.ChoiceField(choices=CURRENCIES, required=False)
    level = serializers.ChoiceField(choices=Course.Level.choices, required=False)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20, required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields) - {"id", "is_published"}
            if unknown:
                raise serializers.ValidationError({k: ["Unknown field."] for k in sorted(unknown)})
        return super().to_internal_value(data)


class InstructorCourseSerializer(CourseDetailSerializer):
    """The instructor's view of their course: everything, drafts included."""


class ModuleWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)


class ModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "title", "order"]


class LessonWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(required=False, allow_blank=True, max_length=200_000)
    video_url = serializers.URLField(required=False, allow_blank=True)
    estimated_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    is_preview = serializers.BooleanField(required=False)
    module = serializers.UUIDField(required=False)


class LessonEditSerializer(serializers.ModelSerializer):
    module = serializers.UUIDField(source="module_id")

    class Meta:
        model = Lesson
        fields = [
            "id",
            "module",
            "title",
            "content",
            "content_html",
            "video_url",
            "estimated_minutes",
            "is_preview",
            "order",
        ]


class ReorderSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.UUIDField(), allow_empty=True, max_length=1000)


class MarkdownPreviewSerializer(serializers.Serializer):
    content = serializers.CharField(allow_blank=True, max_length=200_000)
