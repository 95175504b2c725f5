"""Request and response shapes of the courses API."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lyceum.core.serializers import absolute_url

from ..models import CURRENCIES, Course, Lesson, LessonResource, Module


class InstructorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    display_name = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


CENTS = Decimal("0.01")
_DATETIME = serializers.DateTimeField()


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


def _tag_slugs(course: Course) -> list[str]:
    if hasattr(course, "tag_slugs"):  # set by selectors.attach_tag_slugs
        return course.tag_slugs
    return sorted(tag.slug for tag in course.tags.all())  # prefetched by the caller


def _file_url(context, field) -> str | None:
    """The URL of a public file (covers)."""
    return absolute_url(context, field.url) if field else None


class LessonVideoSummarySerializer(serializers.Serializer):
    """The lesson's uploaded video, in short: its details (and stream) at ``url``."""

    id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField()
    duration = serializers.FloatField(allow_null=True)
    url = serializers.SerializerMethodField()

    def get_url(self, video) -> str:
        return absolute_url(self.context, reverse("api:media:video", kwargs={"id": video.pk}))


def _lesson_video(context, lesson: Lesson) -> dict | None:
    try:
        video = lesson.video
    except ObjectDoesNotExist:
        return None
    return LessonVideoSummarySerializer(video, context=context).data


class CoursePageSerializer(serializers.ListSerializer):
    """A page of courses: their tags are fetched for the whole page in one query."""

    def to_representation(self, data):
        from ..selectors import attach_tag_slugs

        courses = attach_tag_slugs(list(data.all() if hasattr(data, "all") else data))
        return [self.child.to_representation(course) for course in courses]


class CourseListSerializer(serializers.ModelSerializer):
    instructor = InstructorSerializer(read_only=True)
    category = CategorySerializer(read_only=True, allow_null=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    is_free = serializers.BooleanField(read_only=True)
    lesson_count = serializers.IntegerField(read_only=True)
    cover_image_url = serializers.SerializerMethodField()

    class Meta:
        model = Course
        list_serializer_class = CoursePageSerializer
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

    def to_representation(self, course: Course) -> dict:
        # Built by hand: the catalog renders many courses a request and DRF's per-field
        # machinery was most of its cost (bench/bench_courses.py). The fields declared above
        # still describe the shape for the OpenAPI schema; tests pin the output.
        instructor, category = course.instructor, course.category
        return {
            "id": str(course.id),
            "title": course.title,
            "slug": course.slug,
            "summary": course.summary,
            "instructor": {
                "id": str(instructor.id),
                "username": instructor.username,
                "display_name": instructor.display_name,
            },
            "price": str(course.price.quantize(CENTS)),
            "currency": course.currency,
            "is_free": course.is_free,
            "level": course.level,
            "category": {"slug": category.slug, "name": category.name} if category else None,
            "tags": _tag_slugs(course),
            "cover_image_url": self.get_cover_image_url(course),
            "is_published": course.is_published,
            "published_at": _datetime(course.published_at),
            "enrollment_count": course.enrollment_count,
            "lesson_count": getattr(course, "lesson_count", 0),
            "created_at": _datetime(course.created_at),
        }


class LessonOutlineSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    order = serializers.IntegerField()
    estimated_minutes = serializers.IntegerField()
    is_preview = serializers.BooleanField()
    has_video = serializers.BooleanField()


class ModuleOutlineSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    order = serializers.IntegerField()
    lessons = LessonOutlineSerializer(many=True)


class ViewerStatusSerializer(serializers.Serializer):
    is_enrolled = serializers.BooleanField()
    enrolled_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    can_manage = serializers.BooleanField()


class CourseDetailSerializer(CourseListSerializer):
    modules = serializers.SerializerMethodField()
    viewer = serializers.SerializerMethodField()

    class Meta(CourseListSerializer.Meta):
        fields = [*CourseListSerializer.Meta.fields, "description", "modules", "viewer"]
        read_only_fields = fields

    def to_representation(self, course: Course) -> dict:
        data = super().to_representation(course)
        data.update(
            description=course.description, modules=self.get_modules(course), viewer=self.get_viewer(course)
        )
        return data

    @extend_schema_field(ModuleOutlineSerializer(many=True))
    def get_modules(self, course: Course) -> list[dict]:
        # Plain data from selectors.course_outline: a thousand lessons need no serializer each.
        return course.outline

    @extend_schema_field(ViewerStatusSerializer)
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
        return absolute_url(self.context, reverse("api:courses:resource_file", kwargs={"id": resource.pk}))


class LessonDetailSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="lesson.id")
    title = serializers.CharField(source="lesson.title")
    content_html = serializers.CharField(source="lesson.content_html")
    video_url = serializers.CharField(source="lesson.video_url")
    video = serializers.SerializerMethodField()
    resources = ResourceSerializer(source="lesson.resources", many=True)
    estimated_minutes = serializers.IntegerField(source="lesson.estimated_minutes")
    is_preview = serializers.BooleanField(source="lesson.is_preview")
    module = serializers.SerializerMethodField()
    course = serializers.SerializerMethodField()
    previous_lesson_id = serializers.UUIDField(source="previous_id", allow_null=True)
    next_lesson_id = serializers.UUIDField(source="next_id", allow_null=True)
    is_completed = serializers.BooleanField()

    @extend_schema_field(LessonVideoSummarySerializer(allow_null=True))
    def get_video(self, view) -> dict | None:
        return _lesson_video(self.context, view.lesson)

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
    next_lesson_id = serializers.UUIDField(
        allow_null=True, help_text="The first lesson not completed yet (null when every one is)."
    )
    last_activity_at = serializers.DateTimeField(help_text="The last lesson activity, or the enrollment.")

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


class CoverSerializer(serializers.Serializer):
    cover_image = serializers.FileField()


class ResourceUploadSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    file = serializers.FileField()


class LessonEditSerializer(serializers.ModelSerializer):
    module = serializers.UUIDField(source="module_id")
    video = serializers.SerializerMethodField()
    resources = ResourceSerializer(many=True, read_only=True)

    @extend_schema_field(LessonVideoSummarySerializer(allow_null=True))
    def get_video(self, lesson: Lesson) -> dict | None:
        return _lesson_video(self.context, lesson)

    class Meta:
        model = Lesson
        fields = [
            "id",
            "module",
            "title",
            "content",
            "content_html",
            "video_url",
            "video",
            "resources",
            "estimated_minutes",
            "is_preview",
            "order",
        ]


class ReorderSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.UUIDField(), allow_empty=True, max_length=1000)


class MarkdownPreviewSerializer(serializers.Serializer):
    content = serializers.CharField(allow_blank=True, max_length=200_000)
