"""Every write of courses: building courses, enrolling, completing lessons."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify

from lyceum.accounts.models import User
from lyceum.accounts.services import read_image
from lyceum.core import files
from lyceum.core.events import publish
from lyceum.core.exceptions import Conflict, Forbidden, NotFound, PaymentRequired

from . import events
from .cache import catalog_changed
from .markdown import render_markdown
from .models import (
    Category,
    Course,
    CourseEnrollment,
    Lesson,
    LessonProgress,
    LessonResource,
    Module,
    Tag,
)
from .permissions import can_manage_course, can_teach
from .selectors import course_progress, courses_visible_to

COURSE_FIELDS = ("title", "slug", "summary", "description", "price", "currency", "level", "category", "tags")
LESSON_FIELDS = ("title", "content", "video_url", "estimated_minutes", "is_preview")


def _recount_lessons(course: Course) -> None:
    """Stores the course's lesson count, counted afresh (so it cannot drift)."""
    course.lesson_count = Lesson.objects.filter(module__course=course).count()
    Course.objects.filter(pk=course.pk).update(lesson_count=course.lesson_count)
    catalog_changed()


def _require_manager(actor: User, course: Course) -> None:
    if not can_manage_course(actor, course):
        raise Forbidden("Only this course's instructor can change it.", code="not_course_owner")


def _unique_slug(title: str, *, exclude: Course | None = None) -> str:
    base = slugify(title)[:200] or "course"
    candidate, n = base, 2
    others = Course.objects.exclude(pk=exclude.pk) if exclude else Course.objects.all()
    while others.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _category(slug_or_name: str | None) -> Category | None:
    if not slug_or_name:
        return None
    slug = slugify(slug_or_name)
    category = Category.objects.filter(slug=slug).first()
    return category or Category.objects.create(slug=slug, name=slug_or_name.strip()[:100])


def _set_tags(course: Course, names: Iterable[str]) -> None:
    wanted = {slugify(name)[:50]: name.strip()[:50] for name in names if slugify(name)}
    existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=wanted)}
    Tag.objects.bulk_create(
        [Tag(slug=slug, name=name) for slug, name in wanted.items() if slug not in existing],
        ignore_conflicts=True,
    )
    tags = list(Tag.objects.filter(slug__in=wanted))
    through = Course.tags.through
    through.objects.filter(course=course).exclude(tag__in=tags).delete()
    through.objects.bulk_create([through(course=course, tag=tag) for tag in tags], ignore_conflicts=True)
    catalog_changed()  # bulk writes send no signal


def _apply_course_fields(course: Course, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name in ("tags",):
            continue
        if name == "category":
            course.category = _category(value)
        elif name == "slug":
            if value and Course.objects.exclude(pk=course.pk).filter(slug=value).exists():
                raise ValidationError({"slug": ["A course with this slug already exists."]})
            course.slug = value or _unique_slug(fields.get("title") or course.title, exclude=course)
        elif name == "price":
            if Decimal(value) < 0:
                raise ValidationError({"price": ["The price cannot be negative."]})
            course.price = Decimal(value)
        else:
            setattr(course, name, value)


def _save_course(course: Course) -> None:
    course.full_clean(exclude=["instructor", "cover_image"], validate_constraints=False)
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError:
        raise ValidationError({"slug": ["A course with this slug already exists."]}) from None


@transaction.atomic
def course_create(*, instructor: User, title: str, **fields: Any) -> Course:
    """A draft course taught by ``instructor`` (who must be an instructor or an admin)."""
    if not can_teach(instructor):
        raise Forbidden("Only instructors can create courses.", code="not_instructor")
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in unknown})
    course = Course(instructor=instructor, title=title.strip())
    _apply_course_fields(course, {"slug": fields.pop("slug", ""), **fields})
    _save_course(course)
    if "tags" in fields:
        _set_tags(course, fields["tags"])
    return course


@transaction.atomic
def course_update(*, course: Course, actor: User, **fields: Any) -> Course:
    _require_manager(actor, course)
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in unknown})
    _apply_course_fields(course, fields)
    _save_course(course)
    if "tags" in fields:
        _set_tags(course, fields["tags"])
    return course


@transaction.atomic
def course_set_cover(*, course: Course, actor: User, image: UploadedFile) -> Course:
    """A cover image, checked by content like avatars, scaled to at most 1600 px, stored as WebP."""
    _require_manager(actor, course)
    picture = read_image(image, field="cover_image")
    picture = picture.convert("RGB")
    picture.thumbnail((1600, 1600))
    out = io.BytesIO()
    picture.save(out, format="WEBP", quality=85)
    old = course.cover_image.name if course.cover_image else None
    course.cover_image.save("cover.webp", ContentFile(out.getvalue()), save=False)
    course.save(update_fields=["cover_image", "updated_at"])
    if old:
        storage = course.cover_image.storage
        transaction.on_commit(lambda: storage.delete(old))
    return course


@transaction.atomic
def lesson_resource_add(*, lesson: Lesson, actor: User, title: str, file: UploadedFile) -> LessonResource:
    """A downloadable file for the lesson (at most LESSON_RESOURCE_MAX_BYTES), of a type on the
    allowlist by its content (lyceum.core.files), stored under that type's extension."""
    _require_manager(actor, lesson.module.course)
    if file.size and file.size > settings.LESSON_RESOURCE_MAX_BYTES:
        limit = settings.LESSON_RESOURCE_MAX_BYTES // (1024 * 1024)
        raise ValidationError({"file": [f"The file is larger than {limit} MB."]})
    if not file.size:
        raise ValidationError({"file": ["The file is empty."]})
    kind = files.sniff(file)
    resource = LessonResource(
        lesson=lesson,
        title=(title or PurePath(file.name or "").stem or "Download").strip()[:200],
        content_type=kind.content_type,
    )
    resource.file.save(f"resource.{kind.extension}", file, save=False)
    resource.save()
    return resource


@transaction.atomic
def lesson_resource_delete(*, resource: LessonResource, actor: User) -> None:
    _require_manager(actor, resource.lesson.module.course)
    name, storage = resource.file.name, resource.file.storage
    resource.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def course_publish(*, course: Course, actor: User, publish_it: bool = True) -> Course:
    """Publishes (students can see and enroll) or unpublishes a course. An empty course cannot be
    published."""
    _require_manager(actor, course)
    if publish_it and not Lesson.objects.filter(module__course=course).exists():
        raise Conflict("Add at least one lesson before publishing.", code="course_empty")
    course.is_published = publish_it
    if publish_it and course.published_at is None:
        course.published_at = timezone.now()
    course.save(update_fields=["is_published", "published_at", "updated_at"])
    return course


@transaction.atomic
def course_delete(*, course: Course, actor: User) -> None:
    """Deletes a course nobody is enrolled in and nobody paid for; such a course can only be
    unpublished."""
    _require_manager(actor, course)
    if CourseEnrollment.objects.filter(course=course).exists():
        raise Conflict(
            "Students are enrolled in this course: unpublish it instead.", code="course_has_students"
        )
    if course.transactions.exists():  # payments are records to keep, paid or only started
        raise Conflict(
            "Payments for this course are on record: unpublish it instead.", code="course_has_payments"
        )
    course.delete()


# --- modules and lessons ------------------------------------------------------------------------


@transaction.atomic
def module_create(*, course: Course, actor: User, title: str) -> Module:
    _require_manager(actor, course)
    Course.objects.select_for_update().filter(pk=course.pk).exists()
    last = Module.objects.filter(course=course).aggregate(last=Max("order"))["last"]
    module = Module(course=course, title=title.strip(), order=0 if last is None else last + 1)
    module.full_clean(exclude=["course"])
    module.save()
    return module


@transaction.atomic
def module_update(*, module: Module, actor: User, title: str) -> Module:
    _require_manager(actor, module.course)
    module.title = title.strip()
    module.full_clean(exclude=["course"])
    module.save(update_fields=["title"])
    return module


@transaction.atomic
def module_delete(*, module: Module, actor: User) -> None:
    _require_manager(actor, module.course)
    module.delete()
    _recount_lessons(module.course)


def _reorder(model, siblings, ids: list[Any], *, what: str) -> None:
    current = list(siblings.values_list("pk", flat=True))
    try:
        wanted = [type(current[0])(str(value)) if current else value for value in ids]
    except (ValueError, TypeError, AttributeError):
        raise ValidationError({"ids": [f"Give the ids of this {what}'s items."]}) from None
    if len(wanted) != len(set(wanted)) or set(wanted) != set(current):
        raise ValidationError({"ids": [f"Give every id of this {what}'s items exactly once, and no other."]})
    objects = list(siblings)
    position = {pk: index for index, pk in enumerate(wanted)}
    for item in objects:
        item.order = position[item.pk]
    model.objects.bulk_update(objects, ["order"])
    catalog_changed()  # bulk writes send no signal


@transaction.atomic
def modules_reorder(*, course: Course, actor: User, module_ids: list[Any]) -> None:
    """Puts the course's modules in the given order (every module id, once)."""
    _require_manager(actor, course)
    _reorder(Module, Module.objects.select_for_update().filter(course=course), module_ids, what="course")


def _module_in_course(module_id: Any, course: Course) -> Module:
    module = Module.objects.filter(pk=module_id, course=course).first()
    if module is None:
        raise ValidationError({"module": ["Choose a module of the same course."]})
    return module


def _apply_lesson_fields(lesson: Lesson, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(LESSON_FIELDS) - {"module"}
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in unknown})
    for name, value in fields.items():
        if name == "module":
            lesson.module = _module_in_course(value, lesson.module.course)
        else:
            setattr(lesson, name, value.strip() if name == "title" else value)
    if "content" in fields:
        lesson.content_html = render_markdown(lesson.content)


@transaction.atomic
def lesson_create(*, module: Module, actor: User, title: str, **fields: Any) -> Lesson:
    _require_manager(actor, module.course)
    Module.objects.select_for_update().filter(pk=module.pk).exists()
    last = Lesson.objects.filter(module=module).aggregate(last=Max("order"))["last"]
    lesson = Lesson(module=module, title=title.strip(), order=0 if last is None else last + 1)
    _apply_lesson_fields(lesson, {"content": "", **fields})
    lesson.full_clean(exclude=["module", "video_file"])
    lesson.save()
    _recount_lessons(module.course)
    return lesson


@transaction.atomic
def lesson_update(*, lesson: Lesson, actor: User, **fields: Any) -> Lesson:
    _require_manager(actor, lesson.module.course)
    moved = "module" in fields and str(fields["module"]) != str(lesson.module_id)
    _apply_lesson_fields(lesson, fields)
    if moved:
        last = Lesson.objects.filter(module=lesson.module).aggregate(last=Max("order"))["last"]
        lesson.order = 0 if last is None else last + 1
    lesson.full_clean(exclude=["module", "video_file"])
    lesson.save()
    return lesson


@transaction.atomic
def lesson_delete(*, lesson: Lesson, actor: User) -> None:
    _require_manager(actor, lesson.module.course)
    lesson.delete()
    _recount_lessons(lesson.module.course)


@transaction.atomic
def lessons_reorder(*, module: Module, actor: User, lesson_ids: list[Any]) -> None:
    """Puts the module's lessons in the given order (every lesson id, once)."""
    _require_manager(actor, module.course)
    _reorder(Lesson, Lesson.objects.select_for_update().filter(module=module), lesson_ids, what="module")


# --- enrollment and progress --------------------------------------------------------------------


@transaction.atomic
def enroll(*, user: User, course: Course) -> tuple[CourseEnrollment, bool]:
    """Enrolls ``user`` (again is harmless); returns (enrollment, created).

    A paid course needs a paid order first, or a live subscription whose plan covers it; else
    402 with the price and where to buy it.
    """
    if not courses_visible_to(user).filter(pk=course.pk, is_published=True).exists():
        raise NotFound("No such course.")
    existing = CourseEnrollment.objects.filter(user=user, course=course).first()
    if existing is not None:
        return existing, False
    if not course.is_free:
        from lyceum.payments.services import has_paid_access

        if not has_paid_access(user, course):
            raise PaymentRequired(
                f"This course costs {course.price} {course.currency}. Buy it, or subscribe to a plan "
                "that covers it, to enroll.",
                extra={
                    "price": str(course.price),
                    "currency": course.currency,
                    "checkout": f"/api/courses/{course.pk}/checkout/",
                    "plans": "/api/plans/",
                },
            )
    try:
        with transaction.atomic():
            enrollment = CourseEnrollment.objects.create(user=user, course=course)
    except IntegrityError:  # a concurrent request enrolled first
        return CourseEnrollment.objects.get(user=user, course=course), False
    Course.objects.filter(pk=course.pk).update(enrollment_count=F("enrollment_count") + 1)
    catalog_changed()
    publish(events.course_enrolled, user_id=user.pk, course_id=course.pk)
    return enrollment, True


@transaction.atomic
def unenroll(*, user: User, course: Course) -> None:
    deleted, _ = CourseEnrollment.objects.filter(user=user, course=course).delete()
    if not deleted:
        raise NotFound("You are not enrolled in this course.", code="not_enrolled")
    Course.objects.filter(pk=course.pk, enrollment_count__gt=0).update(
        enrollment_count=F("enrollment_count") - 1
    )
    catalog_changed()
    publish(events.course_unenrolled, user_id=user.pk, course_id=course.pk)


@transaction.atomic
def lesson_complete(*, user: User, lesson: Lesson, time_spent_seconds: int = 0):
    """Marks the lesson complete for an enrolled user (again is harmless) and returns the course
    progress; reaching every lesson completes the enrollment."""
    course = lesson.module.course
    enrollment = CourseEnrollment.objects.select_for_update().filter(user=user, course=course).first()
    if enrollment is None:
        raise Forbidden("Enroll in this course to complete its lessons.", code="not_enrolled")
    progress, _ = LessonProgress.objects.get_or_create(user=user, lesson=lesson)
    newly_completed = progress.completed_at is None
    if newly_completed:
        progress.completed_at = timezone.now()
    progress.time_spent_seconds += max(0, int(time_spent_seconds))
    progress.save()
    if newly_completed:
        publish(events.lesson_completed, user_id=user.pk, lesson_id=lesson.pk, course_id=course.pk)
    summary = course_progress(user=user, course=course)
    if summary.total and summary.completed == summary.total and enrollment.completed_at is None:
        enrollment.completed_at = timezone.now()
        enrollment.save(update_fields=["completed_at"])
        publish(events.course_completed, user_id=user.pk, course_id=course.pk)
    summary.completed_at = enrollment.completed_at
    return summary
