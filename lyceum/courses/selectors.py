"""Reads of courses: the catalog, a course's outline, a lesson, progress and a user's courses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce

from lyceum.accounts.models import User
from lyceum.core.exceptions import Forbidden, NotFound

from .models import Category, Course, CourseEnrollment, Lesson, LessonProgress, LessonResource, Module
from .permissions import can_manage_course, is_admin, taught_course_ids

# Each ordering has an index of its own (see Course.Meta.indexes), so a page needs no sort.
ORDERINGS = {
    "newest": ["-published_at", "-created_at"],
    "popular": ["-enrollment_count", "-published_at"],
    "title": ["title", "id"],
}


def courses_visible_to(viewer: User | None) -> QuerySet[Course]:
    """Published courses; an instructor also sees their own drafts and those they teach as staff;
    an admin sees all."""
    courses = Course.objects.all()
    if viewer is not None and is_admin(viewer):
        return courses
    if viewer is not None and viewer.is_authenticated:
        visible = Q(is_published=True) | Q(instructor=viewer)
        if taught := taught_course_ids(viewer):
            visible |= Q(pk__in=taught)
        return courses.filter(visible)
    return courses.filter(is_published=True)


def _with_listing_fields(courses: QuerySet[Course]) -> QuerySet[Course]:
    # Tags are attached per page by attach_tag_slugs: lighter than prefetch_related's machinery.
    return courses.select_related("instructor", "category")


def attach_tag_slugs(courses: list[Course]) -> list[Course]:
    """Sets ``tag_slugs`` on each course, in one query for all of them."""
    slugs: dict[Any, list[str]] = {course.pk: [] for course in courses}
    if slugs:
        rows = (
            Course.tags.through.objects.filter(course_id__in=slugs)
            .order_by("tag__slug")
            .values_list("course_id", "tag__slug")
        )
        for course_id, slug in rows:
            slugs[course_id].append(slug)
    for course in courses:
        course.tag_slugs = slugs[course.pk]
    return courses


def _search(courses: QuerySet[Course], text: str) -> QuerySet[Course]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A", config="english") + SearchVector(
            "summary", "description", weight="B", config="english"
        )
        query = SearchQuery(text, search_type="websearch", config="english")
        return courses.annotate(rank=SearchRank(vector, query)).filter(rank__gt=0)
    for word in text.split()[:8]:
        courses = courses.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word)
        )
    return courses


def course_catalog(
    *,
    viewer: User | None,
    search: str = "",
    category: str = "",
    level: str = "",
    price: str = "",
    instructor: str = "",
    tag: str = "",
    ordering: str = "",
    mine: bool = False,
) -> QuerySet[Course]:
    """The catalog as ``viewer`` may see it, filtered and ordered (search results by relevance
    unless another ordering is asked for)."""
    courses = courses_visible_to(viewer)
    if mine and viewer is not None:
        # Theirs, and those they teach as a co-instructor or TA.
        courses = courses.filter(Q(instructor=viewer) | Q(pk__in=taught_course_ids(viewer)))
    if category:
        courses = courses.filter(category__slug=category)
    if level:
        courses = courses.filter(level=level)
    if price == "free":
        courses = courses.filter(price=0)
    elif price == "paid":
        courses = courses.filter(price__gt=0)
    if instructor:
        courses = courses.filter(
            Q(instructor__username__iexact=instructor) | Q(instructor__id__iexact=instructor)
        )
    if tag:
        courses = courses.filter(tags__slug=tag)
    courses = _with_listing_fields(courses)
    search = search.strip()
    if search:
        courses = _search(courses, search)
        if not ordering and connection.vendor == "postgresql":
            return courses.order_by("-rank", "title")
    return courses.order_by(*ORDERINGS.get(ordering or "newest", ORDERINGS["newest"]))


def _uuid_text(value: str) -> str:
    """A UUID read as text in its canonical form (SQLite stores the 32 hex digits bare)."""
    if len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return value


def course_outline(*, course_id: Any) -> list[dict[str, Any]]:
    """The course's modules, each with its lessons, in order, as plain data (two queries; no model
    instances nor UUID objects, so a course of a thousand lessons stays cheap)."""
    as_text = {"id_text": Cast("id", TextField())}
    modules = {
        row["id_text"]: {
            "id": _uuid_text(row["id_text"]),
            "title": row["title"],
            "order": row["order"],
            "lessons": [],
        }
        for row in Module.objects.filter(course_id=course_id)
        .order_by("order", "id")
        .annotate(**as_text)
        .values("id_text", "title", "order")
    }
    lessons = (
        Lesson.objects.filter(module__course_id=course_id)
        .order_by("order", "id")
        .annotate(**as_text, module_text=Cast("module_id", TextField()))
        .values_list(
            "id_text",
            "module_text",
            "title",
            "order",
            "estimated_minutes",
            "is_preview",
            "video_url",
            "video",
        )
    )
    for id_text, module_text, title, order, minutes, is_preview, video_url, video in lessons:
        modules[module_text]["lessons"].append(
            {
                "id": _uuid_text(id_text),
                "title": title,
                "order": order,
                "estimated_minutes": minutes,
                "is_preview": is_preview,
                "has_video": bool(video_url or video),
            }
        )
    return list(modules.values())


def categories() -> QuerySet[Category]:
    """Every category, by name (the catalog's filter)."""
    return Category.objects.order_by("name")


def course_get(
    *, viewer: User | None, course_id: Any = None, slug: str | None = None, with_outline: bool = True
) -> Course:
    """One course the viewer may see, with ``outline`` (see ``course_outline``), or
    ``NotFound``."""
    lookup = {"slug": slug} if slug is not None else {"pk": course_id}
    course = _with_listing_fields(courses_visible_to(viewer)).filter(**lookup).first()
    if course is None:
        raise NotFound("No such course.")
    attach_tag_slugs([course])
    if with_outline:
        course.outline = course_outline(course_id=course.pk)
    return course


def managed_course(*, user: User, course_id: Any) -> Course:
    """A course ``user`` may change (theirs, or any for an admin), or ``NotFound``: others' courses
    are not revealed."""
    course = course_get(viewer=user, course_id=course_id)
    if not can_manage_course(user, course):
        raise NotFound("No such course among yours.")
    return course


def managed_module(*, user: User, module_id: Any) -> Module:
    module = Module.objects.select_related("course").filter(pk=module_id).first()
    if module is None or not can_manage_course(user, module.course):
        raise NotFound("No such module among your courses.")
    return module


def managed_lesson(*, user: User, lesson_id: Any) -> Lesson:
    lesson = Lesson.objects.select_related("module__course").filter(pk=lesson_id).first()
    if lesson is None or not can_manage_course(user, lesson.module.course):
        raise NotFound("No such lesson among your courses.")
    return lesson


def enrollment_for(*, user: User | None, course: Course) -> CourseEnrollment | None:
    return enrollment_in(user=user, course_id=course.pk)


def enrollment_in(*, user: User | None, course_id: Any) -> CourseEnrollment | None:
    if user is None or not user.is_authenticated:
        return None
    return CourseEnrollment.objects.filter(user=user, course_id=course_id).first()


@dataclass
class ModuleProgress:
    module_id: Any
    title: str
    completed: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


@dataclass
class CourseProgress:
    course_id: Any
    completed: int
    total: int
    completed_lesson_ids: set[str] = field(default_factory=set)
    modules: list[ModuleProgress] = field(default_factory=list)
    completed_at: Any = None

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


def course_progress(*, user: User, course: Course) -> CourseProgress:
    """Completed lessons over all lessons, per module and for the course (two queries)."""
    lessons = list(
        Lesson.objects.filter(module__course=course)
        .select_related("module")
        .only("id", "module__id", "module__title", "module__order")
        .order_by("module__order", "module__id", "order", "id")
    )
    done = {
        str(lesson_id)
        for lesson_id in LessonProgress.objects.filter(
            user=user, lesson__module__course=course, completed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    }
    modules: dict[Any, ModuleProgress] = {}
    for lesson in lessons:
        entry = modules.setdefault(
            lesson.module.id, ModuleProgress(lesson.module.id, lesson.module.title, 0, 0)
        )
        entry.total += 1
        entry.completed += str(lesson.id) in done
    return CourseProgress(
        course_id=course.pk,
        completed=sum(entry.completed for entry in modules.values()),
        total=len(lessons),
        completed_lesson_ids=done,
        modules=list(modules.values()),
    )


def my_enrollments(*, user: User) -> QuerySet[CourseEnrollment]:
    """The user's enrollments with their course and lesson counts (constant queries)."""
    total = (
        Lesson.objects.filter(module__course=OuterRef("course_id"))
        .order_by()
        .values("module__course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    completed = (
        LessonProgress.objects.filter(
            user=OuterRef("user_id"),
            lesson__module__course=OuterRef("course_id"),
            completed_at__isnull=False,
        )
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # The first lesson, in course order, the user has not completed: where "Continue" goes.
    next_lesson = (
        Lesson.objects.filter(module__course=OuterRef("course_id"))
        .exclude(
            Exists(
                LessonProgress.objects.filter(
                    lesson=OuterRef("pk"), user=OuterRef(OuterRef("user_id")), completed_at__isnull=False
                )
            )
        )
        .order_by("module__order", "module__id", "order", "id")
        .values("pk")[:1]
    )
    last_activity = (
        LessonProgress.objects.filter(user=OuterRef("user_id"), lesson__module__course=OuterRef("course_id"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    return (
        CourseEnrollment.objects.filter(user=user)
        .select_related("course", "course__instructor", "course__category")
        .prefetch_related("course__tags")
        .annotate(
            lesson_total=Coalesce(Subquery(total), Value(0)),
            lesson_completed=Coalesce(Subquery(completed), Value(0)),
            next_lesson_id=Subquery(next_lesson),
            last_activity_at=Coalesce(Subquery(last_activity), "enrolled_at"),
        )
        .order_by("-enrolled_at")
    )


def continue_learning(*, user: User) -> CourseEnrollment | None:
    """The enrollment the user was last active in that still has a lesson to do, with
    ``next_lesson_id``: the learner dashboard's "continue where you left off"."""
    return (
        my_enrollments(user=user)
        .filter(next_lesson_id__isnull=False)
        .order_by("-last_activity_at", "-enrolled_at")
        .first()
    )


@dataclass
class LessonView:
    lesson: Lesson
    course: Course
    previous_id: Any
    next_id: Any
    is_completed: bool
    can_manage: bool


def lesson_require_access(*, viewer: User | None, lesson: Lesson) -> bool:
    """Raises NotFound or Forbidden unless ``viewer`` may read the lesson (and its video and
    files): enrolled users, the course's staff and admins read every lesson, others only previews
    of a course they may see. Returns whether the viewer manages the course. ``lesson`` comes
    with ``module__course`` selected."""
    course = lesson.module.course
    if not courses_visible_to(viewer).filter(pk=course.pk).exists():
        raise NotFound("No such lesson.")
    manages = viewer is not None and can_manage_course(viewer, course)
    if lesson.is_preview or manages:
        return manages
    if enrollment_for(user=viewer, course=course) is None:
        raise Forbidden("Enroll in this course to read this lesson.", code="not_enrolled")
    return manages


def lesson_resource_for_viewer(*, viewer: User | None, resource_id: Any) -> LessonResource:
    """A lesson's downloadable file, if ``viewer`` may read the lesson; checked on every download."""
    resource = (
        LessonResource.objects.select_related("lesson__module__course__instructor")
        .filter(pk=resource_id)
        .first()
    )
    if resource is None:
        raise NotFound("No such file.")
    lesson_require_access(viewer=viewer, lesson=resource.lesson)
    return resource


def lesson_for_viewer(*, viewer: User | None, lesson_id: Any) -> LessonView:
    """A lesson's content for ``viewer``: enrolled users, the course's instructor and admins read
    every lesson; others only preview lessons of a course they may see."""
    lesson = (
        Lesson.objects.select_related("module", "module__course", "module__course__instructor")
        .prefetch_related("resources")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise NotFound("No such lesson.")
    course = lesson.module.course
    manages = lesson_require_access(viewer=viewer, lesson=lesson)
    order = list(
        Lesson.objects.filter(module__course=course)
        .order_by("module__order", "module__id", "order", "id")
        .values_list("id", flat=True)
    )
    index = order.index(lesson.pk)
    completed = bool(
        viewer is not None
        and viewer.is_authenticated
        and LessonProgress.objects.filter(user=viewer, lesson=lesson, completed_at__isnull=False).exists()
    )
    return LessonView(
        lesson=lesson,
        course=course,
        previous_id=order[index - 1] if index > 0 else None,
        next_id=order[index + 1] if index + 1 < len(order) else None,
        is_completed=completed,
        can_manage=manages,
    )
