"""Leaderboards and the achievements gallery: thin views over ``lyceum.gamification``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lyceum.core.exceptions import ApplicationError, NotFound
from lyceum.courses import selectors as course_selectors
from lyceum.courses.models import CourseEnrollment
from lyceum.gamification import selectors, services
from lyceum.gamification.models import ICONS, Achievement
from lyceum.quizzes import selectors as quiz_selectors

from .gamification_forms import AchievementForm


@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    """Global or one of my courses' boards, all time, this week or this month; my row highlighted."""
    period = request.GET.get("period", "all")
    period = period if period in selectors.PERIODS else "all"
    my_courses = [
        enrollment.course
        for enrollment in CourseEnrollment.objects.filter(user=request.user)
        .select_related("course")
        .order_by("course__title")
    ]
    course = next((c for c in my_courses if str(c.pk) == request.GET.get("course", "")), None)
    quizzes = list(quiz_selectors.course_quizzes(viewer=request.user, course=course)) if course else []
    quiz = next((q for q in quizzes if str(q.pk) == request.GET.get("quiz", "")), None)
    context = {
        "period": period,
        "periods": [("all", "All time"), ("week", "This week"), ("month", "This month")],
        "course": course,
        "my_courses": my_courses,
        "quizzes": quizzes,
        "quiz": quiz,
        "status": selectors.level_status(user=request.user),
    }
    if quiz is not None:
        # A quiz's board ranks best attempts by score, then time (the same ranking rule).
        top, me, _ = quiz_selectors.quiz_leaderboard(quiz=quiz, viewer=request.user, limit=100, period=period)
        context.update(top=top, me=me, neighbours=[])
    else:
        shown = selectors.board(user=request.user, course_id=course.pk if course else None, period=period)
        context.update(top=shown.top, me=shown.me, neighbours=shown.neighbours)
    return render(request, "web/gamification/leaderboard.html", context)


@login_required
def achievements(request: HttpRequest) -> HttpResponse:
    badges = sorted(selectors.achievements_for(user=request.user), key=lambda badge: badge.earned_at is None)
    return render(
        request,
        "web/gamification/achievements.html",
        {
            "badges": badges,
            "earned": sum(badge.earned_at is not None for badge in badges),
            "status": selectors.level_status(user=request.user),
        },
    )


def _describe(rule: dict) -> str:
    """A rule in words, for the badge list."""
    kind = rule["type"]
    if kind in ("all", "any"):
        joiner = " and " if kind == "all" else " or "
        return joiner.join(_describe(child) for child in rule["rules"])
    return {
        "lessons_completed": lambda: f"{rule.get('count')} lesson(s) completed",
        "courses_completed": lambda: "the course completed",
        "quiz_passed": lambda: f"a quiz passed with at least {rule.get('min_percent', 0):g} %",
        "streak": lambda: f"a {rule.get('days')}-day streak",
        "points": lambda: f"{rule.get('total')} points",
        "course_rank": lambda: f"top {rule.get('top')} of the leaderboard",
    }[kind]()


@login_required
def teach_course_achievements(request: HttpRequest, course_id) -> HttpResponse:
    """A course's own badges: the list with how many earned each, switch on/off, delete, add."""
    course = course_selectors.managed_course(user=request.user, course_id=course_id)
    form = AchievementForm(request.POST if request.POST.get("action") == "create" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create" and form.is_valid():
            data = form.cleaned_data
            try:
                badge = services.achievement_create(
                    actor=request.user,
                    course=course,
                    title=data["title"],
                    description=data["description"],
                    icon=data["icon"],
                    points=data["points"],
                    rule=data["rule"],
                )
            except (ApplicationError, ValidationError) as error:
                form.add_error(None, getattr(error, "message", None) or "; ".join(error.messages))
            else:
                messages.success(request, f"Badge “{badge.title}” added.")
                return redirect("web:teach_course_achievements", course_id=course.pk)
        elif action in ("switch", "delete"):
            badge_id = request.POST.get("badge", "")
            badge = (
                Achievement.objects.filter(pk=badge_id, course=course).first() if badge_id.isdigit() else None
            )
            if badge is None:
                raise NotFound("No such badge in this course.")
            try:
                if action == "switch":
                    services.achievement_update(achievement=badge, is_active=not badge.is_active)
                    messages.success(request, f"“{badge.title}” is {'on' if badge.is_active else 'off'}.")
                else:
                    services.achievement_delete(achievement=badge)
                    messages.success(request, f"“{badge.title}” deleted.")
            except ApplicationError as error:
                messages.error(request, error.message)
            return redirect("web:teach_course_achievements", course_id=course.pk)
    badges = list(selectors.course_achievements(course_id=course.pk))
    for badge in badges:
        badge.how = _describe(badge.rule)
    return render(
        request,
        "web/teach/achievements.html",
        {"course": course, "badges": badges, "form": form, "icons": ICONS},
    )
