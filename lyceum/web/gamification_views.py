"""Leaderboards and the achievements gallery: thin views over ``lyceum.gamification``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lyceum.courses.models import CourseEnrollment
from lyceum.gamification import selectors


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
    shown = selectors.board(user=request.user, course_id=course.pk if course else None, period=period)
    return render(
        request,
        "web/gamification/leaderboard.html",
        {
            "period": period,
            "periods": [("all", "All time"), ("week", "This week"), ("month", "This month")],
            "course": course,
            "my_courses": my_courses,
            "top": shown.top,
            "me": shown.me,
            "neighbours": shown.neighbours,
            "status": selectors.level_status(user=request.user),
        },
    )


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
