"""Course pages: catalog, course, lesson player, my courses and the instructor's course builder.
They call the courses services and selectors, never the API."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from lyceum.core.exceptions import ApplicationError, Forbidden, NotFound, PaymentRequired
from lyceum.courses import selectors, services
from lyceum.courses.permissions import can_manage_course, can_teach
from lyceum.media import selectors as media_selectors
from lyceum.media import services as media_services
from lyceum.media.api.serializers import VideoSerializer
from lyceum.quizzes import selectors as quiz_selectors

from . import course_forms
from .forms import add_service_errors

PAGE_SIZE = 12


def _viewer(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def _course(request: HttpRequest, **lookup):
    return selectors.course_get(viewer=_viewer(request), **lookup)


def catalog(request: HttpRequest) -> HttpResponse:
    form = course_forms.CatalogFilterForm(request.GET or None, categories=selectors.categories())
    filters = form.cleaned_data if form.is_valid() else {}
    courses = selectors.course_catalog(viewer=_viewer(request), **{k: v for k, v in filters.items() if v})
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "web/courses/catalog.html", {"form": form, "page": page, "query": query.urlencode()}
    )


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug=slug)
    viewer = _viewer(request)
    enrollment = selectors.enrollment_for(user=viewer, course=course)
    progress = selectors.course_progress(user=viewer, course=course) if enrollment else None
    lessons = [lesson for module in course.outline for lesson in module["lessons"]]
    done = progress.completed_lesson_ids if progress else set()
    # "Continue" opens the first lesson not completed yet.
    first_lesson = next(
        (lesson for lesson in lessons if lesson["id"] not in done), lessons[0] if lessons else None
    )
    return render(
        request,
        "web/courses/detail.html",
        {
            "course": course,
            "enrollment": enrollment,
            "progress": progress,
            "first_lesson": first_lesson,
            "quizzes": quiz_selectors.course_quizzes(viewer=viewer, course=course),
            "can_manage": bool(viewer and can_manage_course(viewer, course)),
        },
    )


@login_required
@require_POST
def course_enroll(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug=slug)
    try:
        services.enroll(user=request.user, course=course)
    except PaymentRequired:  # not bought, no plan covers it: to the checkout
        from .payment_views import start_checkout

        return start_checkout(request, course=course)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("web:course_detail", slug=slug)
    messages.success(request, f"You are enrolled in {course.title}.")
    return redirect("web:course_detail", slug=slug)


@login_required
@require_POST
def course_unenroll(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug=slug)
    try:
        services.unenroll(user=request.user, course=course)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, f"You left {course.title}.")
    return redirect("web:course_detail", slug=slug)


def _video_embed(url: str) -> str | None:
    """The embeddable address of a YouTube or Vimeo page, else None (played as a file)."""
    if match := re.match(r"https?://(?:www\.)?(?:youtube\.com/watch\?v=|youtu\.be/)([\w-]{6,})", url):
        return f"https://www.youtube-nocookie.com/embed/{match.group(1)}"
    if match := re.match(r"https?://(?:www\.)?vimeo\.com/(\d+)", url):
        return f"https://player.vimeo.com/video/{match.group(1)}"
    return None


def lesson_player(request: HttpRequest, slug: str, lesson_id) -> HttpResponse:
    try:
        view = selectors.lesson_for_viewer(viewer=_viewer(request), lesson_id=lesson_id)
    except Forbidden as error:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('web:login')}?next={request.path}")
        messages.error(request, error.message)
        return redirect("web:course_detail", slug=slug)
    if view.course.slug != slug:
        return redirect("web:lesson", slug=view.course.slug, lesson_id=lesson_id)
    course = selectors.course_get(viewer=_viewer(request), course_id=view.course.pk)
    enrollment = selectors.enrollment_for(user=_viewer(request), course=course)
    progress = selectors.course_progress(user=request.user, course=course) if enrollment else None
    video_view = media_selectors.lesson_video_view(
        viewer=_viewer(request), lesson_id=view.lesson.pk, manages=view.can_manage
    )
    video = video_view.video if video_view is not None else None
    return render(
        request,
        "web/courses/lesson.html",
        {
            # An uploaded video plays in Lyceum's player; an external address is embedded.
            "video_data": VideoSerializer(video_view, context={"request": request}).data
            if video is not None and video.source
            else None,
            "view": view,
            "lesson": view.lesson,
            "course": course,
            "enrollment": enrollment,
            "progress": progress,
            "video_embed": _video_embed(view.lesson.video_url or (video.external_url if video else "")),
            "exercises": list(
                view.lesson.code_exercises.filter(is_published=True).order_by("created_at").only("title")
            )
            if enrollment
            else [],
        },
    )


@login_required
@require_POST
def lesson_complete(request: HttpRequest, slug: str, lesson_id) -> HttpResponse:
    view = selectors.lesson_for_viewer(viewer=request.user, lesson_id=lesson_id)  # or 404
    try:
        progress = services.lesson_complete(user=request.user, lesson=view.lesson)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("web:course_detail", slug=slug)
    if progress.percent == 100:
        messages.success(request, f"You completed {view.course.title}. Well done!")
    if view.next_id and request.POST.get("then") == "next":
        return redirect("web:lesson", slug=slug, lesson_id=view.next_id)
    return redirect("web:lesson", slug=slug, lesson_id=lesson_id)


@login_required
def my_courses(request: HttpRequest) -> HttpResponse:
    enrollments = selectors.my_enrollments(user=request.user)
    page = Paginator(enrollments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/courses/my_courses.html", {"page": page})


# --- instructor ---------------------------------------------------------------------------------


def _require_teacher(request: HttpRequest) -> None:
    if not can_teach(request.user):
        raise Forbidden(
            "Teaching is for instructors: your account is a student's. An admin can give you the "
            "instructor role (Admin, Users, Roles)."
        )


@login_required
def teach(request: HttpRequest) -> HttpResponse:
    """The instructor dashboard: the courses taught (owned, co-taught, assisted), enrollments, and
    the essays waiting for a grade. Open to instructors and to anyone on a course's staff."""
    from lyceum.access.selectors import taught_courses

    courses = taught_courses(user=request.user)
    if not courses:
        _require_teacher(request)
    essays = quiz_selectors.essays_to_grade(grader=request.user)
    return render(
        request,
        "web/teach/dashboard.html",
        {
            "courses": courses,
            "students": sum(row.course.enrollment_count for row in courses),
            "essays_waiting": essays.count(),
            "recent_essays": list(essays[:10]),
            "can_create": can_teach(request.user),
        },
    )


def _course_initial(course) -> dict:
    return {
        "title": course.title,
        "slug": course.slug,
        "summary": course.summary,
        "description": course.description,
        "price": course.price,
        "currency": course.currency,
        "level": course.level,
        "category": course.category.name if course.category else "",
        "tags": ", ".join(tag.name for tag in course.tags.all()),
    }


@login_required
@require_http_methods(["GET", "POST"])
def teach_course_new(request: HttpRequest) -> HttpResponse:
    _require_teacher(request)
    form = course_forms.CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(instructor=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Your course is created as a draft. Add modules and lessons, then publish it."
            )
            return redirect("web:teach_course", course_id=course.pk)
    return render(
        request,
        "web/teach/course_form.html",
        {"form": form, "course": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def teach_course(request: HttpRequest, course_id) -> HttpResponse:
    course = selectors.managed_course(user=request.user, course_id=course_id)
    form = course_forms.CourseForm(request.POST or None, initial=_course_initial(course))
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(course=course, actor=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Course details saved.")
            return redirect("web:teach_course", course_id=course.pk)
    return render(
        request,
        "web/teach/course.html",
        {
            "course": course,
            "form": form,
            "module_form": course_forms.ModuleForm(),
            "quizzes": quiz_selectors.course_quizzes(viewer=request.user, course=course, drafts=True),
        },
        status=400 if request.method == "POST" else 200,
    )


def _builder_action(request: HttpRequest, course, action) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("web:teach_course", course_id=course.pk)


@login_required
@require_POST
def teach_course_publish(request: HttpRequest, course_id) -> HttpResponse:
    course = selectors.managed_course(user=request.user, course_id=course_id)
    publish_it = request.POST.get("publish") == "1"

    def act():
        services.course_publish(course=course, actor=request.user, publish_it=publish_it)
        messages.success(
            request,
            "Published: students can find and enroll in it."
            if publish_it
            else "Unpublished: students no longer see it.",
        )

    return _builder_action(request, course, act)


@login_required
@require_POST
def teach_course_delete(request: HttpRequest, course_id) -> HttpResponse:
    course = selectors.managed_course(user=request.user, course_id=course_id)
    try:
        services.course_delete(course=course, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("web:teach_course", course_id=course.pk)
    messages.info(request, f"{course.title} was deleted.")
    return redirect("web:teach")


@login_required
@require_POST
def teach_module_add(request: HttpRequest, course_id) -> HttpResponse:
    course = selectors.managed_course(user=request.user, course_id=course_id)
    form = course_forms.ModuleForm(request.POST)

    def act():
        if not form.is_valid():
            raise ValidationError("Give the module a title.")
        services.module_create(course=course, actor=request.user, **form.cleaned_data)

    return _builder_action(request, course, act)


def _move(ids: list, item_id: str, direction: str) -> list:
    index = ids.index(item_id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    return ids


@login_required
@require_POST
def teach_module_action(request: HttpRequest, module_id) -> HttpResponse:
    module = selectors.managed_module(user=request.user, module_id=module_id)
    course, action = module.course, request.POST.get("action", "")

    def act():
        if action in ("up", "down"):
            ids = [str(pk) for pk in course.modules.order_by("order", "id").values_list("pk", flat=True)]
            services.modules_reorder(
                course=course, actor=request.user, module_ids=_move(ids, str(module.pk), action)
            )
        elif action == "rename":
            services.module_update(module=module, actor=request.user, title=request.POST.get("title", ""))
        elif action == "delete":
            services.module_delete(module=module, actor=request.user)
        elif action == "add_lesson":
            lesson = services.lesson_create(
                module=module,
                actor=request.user,
                title=request.POST.get("title", "").strip() or "Untitled lesson",
            )
            messages.success(request, f"Lesson “{lesson.title}” added.")
        else:
            raise ValidationError("Unknown action.")

    return _builder_action(request, course, act)


@login_required
@require_POST
def teach_lesson_action(request: HttpRequest, lesson_id) -> HttpResponse:
    lesson = selectors.managed_lesson(user=request.user, lesson_id=lesson_id)
    module, course, action = lesson.module, lesson.module.course, request.POST.get("action")

    def act():
        if action in ("up", "down"):
            ids = [str(pk) for pk in module.lessons.order_by("order", "id").values_list("pk", flat=True)]
            services.lessons_reorder(
                module=module, actor=request.user, lesson_ids=_move(ids, str(lesson.pk), action)
            )
        elif action == "delete":
            services.lesson_delete(lesson=lesson, actor=request.user)
        else:
            raise ValidationError("Unknown action.")

    return _builder_action(request, course, act)


@login_required
@require_http_methods(["GET", "POST"])
def teach_lesson(request: HttpRequest, lesson_id) -> HttpResponse:
    lesson = selectors.managed_lesson(user=request.user, lesson_id=lesson_id)
    course = lesson.module.course
    modules = list(course.modules.order_by("order", "id"))
    form = course_forms.LessonForm(
        request.POST or None,
        modules=modules,
        initial={
            "title": lesson.title,
            "module": str(lesson.module_id),
            "content": lesson.content,
            "video_url": lesson.video_url,
            "estimated_minutes": lesson.estimated_minutes,
            "is_preview": lesson.is_preview,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_update(lesson=lesson, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Lesson saved.")
            return redirect("web:teach_course", course_id=course.pk)
    return render(
        request,
        "web/teach/lesson.html",
        {
            "form": form,
            "lesson": lesson,
            "course": course,
            "resources": list(lesson.resources.order_by("id")),
            "video": media_selectors.lesson_video(lesson_id=lesson.pk),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def teach_course_cover(request: HttpRequest, course_id) -> HttpResponse:
    """The builder's cover upload (the same service as the API's)."""
    course = selectors.managed_course(user=request.user, course_id=course_id)
    image = request.FILES.get("cover_image")
    if image is None:
        messages.error(request, "Choose an image to upload.")
        return redirect("web:teach_course", course_id=course.pk)

    def act():
        services.course_set_cover(course=course, actor=request.user, image=image)
        messages.success(request, "Cover image saved.")

    return _builder_action(request, course, act)


@login_required
@require_POST
def teach_lesson_files(request: HttpRequest, lesson_id) -> HttpResponse:
    """The lesson editor's uploads: add a downloadable resource, remove one, set the video."""
    lesson = selectors.managed_lesson(user=request.user, lesson_id=lesson_id)
    action = request.POST.get("action")
    try:
        if action == "add_resource":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": ["Choose a file to upload."]})
            resource = services.lesson_resource_add(
                lesson=lesson, actor=request.user, title=request.POST.get("title", ""), file=upload
            )
            messages.success(request, f"Added “{resource.title}”.")
        elif action == "delete_resource":
            resource = lesson.resources.filter(pk=_int(request.POST.get("resource"))).first()
            if resource is None:
                raise NotFound("No such file in this lesson.")
            services.lesson_resource_delete(resource=resource, actor=request.user)
            messages.success(request, "File removed.")
        elif action == "video":
            upload = request.FILES.get("video")
            if upload is None:
                raise ValidationError({"video": ["Choose a video to upload."]})
            media_services.video_create(
                course=lesson.module.course, actor=request.user, lesson=lesson, file=upload
            )
            messages.success(request, "Video uploaded; it is being processed.")
        elif action in ("remove_video", "reprocess", "captions", "remove_captions"):
            video = media_selectors.lesson_video(lesson_id=lesson.pk)
            if video is None:
                raise NotFound("This lesson has no video.")
            if action == "remove_video":
                media_services.video_delete(video=video, actor=request.user)
                messages.success(request, "Video removed.")
            elif action == "reprocess":
                media_services.video_reprocess(video=video, actor=request.user)
                messages.success(request, "The video is being processed again.")
            elif action == "captions":
                captions = request.FILES.get("captions")
                if captions is None:
                    raise ValidationError({"captions": ["Choose a WebVTT file."]})
                media_services.video_set_captions(
                    video=video,
                    actor=request.user,
                    file=captions,
                    language=request.POST.get("language", "en"),
                )
                messages.success(request, "Captions saved.")
            else:
                media_services.video_remove_captions(video=video, actor=request.user)
                messages.success(request, "Captions removed.")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("web:teach_lesson", lesson_id=lesson.pk)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
