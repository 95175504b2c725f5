"""The gamification API: leaderboards, achievements, streaks, points, level, challenges."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lyceum.core.exceptions import ApplicationError, Forbidden, NotFound
from lyceum.core.ranking import period_param
from lyceum.courses import selectors as course_selectors
from lyceum.courses.models import Course, CourseEnrollment
from lyceum.courses.permissions import can_manage_course, can_teach_course

from .. import selectors, services
from ..models import Achievement
from . import serializers as s

PERIOD = OpenApiParameter(
    "period", str, enum=list(selectors.PERIODS), description="all (default), week or month"
)
LIMIT = OpenApiParameter("limit", int, description="rows of the top, 1 to 100 (default 100)")
E409 = OpenApiResponse(description="The goal is not met yet, or the reward was paid already.")
E409_EARNED = OpenApiResponse(description="Learners earned it (`achievement_earned`): switch it off instead.")
E400 = OpenApiResponse(description="Validation error: `error.fields` names each bad field.")
E404 = OpenApiResponse(description="Not found among your courses.")


def _board(request: Request, *, scope: str, course_id=None) -> Response:
    period = period_param(request.query_params.get("period"))
    limit = request.query_params.get("limit", "100")
    if not limit.isdigit() or not 1 <= int(limit) <= 100:
        raise ApplicationError("limit is a whole number from 1 to 100.", fields={"limit": ["From 1 to 100."]})
    shown = selectors.board(user=request.user, course_id=course_id, period=period, limit=int(limit))
    # Plain dicts in BoardSerializer's shape (the schema): a board is up to 105 rows, and the
    # serializer's field machinery cost more than reading the board (bench/bench_leaderboard.py).
    return Response(
        {
            "scope": scope,
            "period": period,
            "ranking": "standard competition (1224)",
            "top": [_row(row) for row in shown.top],
            "me": _row(shown.me) if shown.me else None,
            "neighbours": [_row(row) for row in shown.neighbours],
        }
    )


def _row(row) -> dict:
    return {
        "rank": row.rank,
        "user_id": str(row.user_id),
        "username": row.username,
        "display_name": row.display_name,
        "points": row.points,
    }


class GlobalLeaderboardView(APIView):
    @extend_schema(
        parameters=[PERIOD, LIMIT],
        responses={200: s.BoardSerializer},
        summary="Global leaderboard",
        tags=["gamification"],
    )
    def get(self, request: Request) -> Response:
        return _board(request, scope="global")


class CourseLeaderboardView(APIView):
    @extend_schema(
        parameters=[PERIOD, LIMIT],
        responses={200: s.BoardSerializer},
        summary="A course's leaderboard (its students and staff)",
        tags=["gamification"],
    )
    def get(self, request: Request, id) -> Response:
        course = Course.objects.filter(pk=id).first()
        if course is None:
            raise NotFound("No such course.")
        member = CourseEnrollment.objects.filter(user=request.user, course=course).exists()
        if not (member or can_teach_course(request.user, course)):
            raise Forbidden("Only the course's students and staff see its leaderboard.", code="not_enrolled")
        return _board(request, scope=f"course:{course.pk}", course_id=course.pk)


class MyAchievementsView(APIView):
    @extend_schema(
        responses={200: s.AchievementStatusSerializer(many=True)},
        summary="Every achievement, earned (with when) and locked (with how to earn it)",
        tags=["gamification"],
    )
    def get(self, request: Request) -> Response:
        achievements = selectors.achievements_for(user=request.user)
        return Response(
            s.AchievementStatusSerializer(achievements, many=True, context={"request": request}).data
        )


class StreakView(APIView):
    @extend_schema(
        responses={200: s.StreakSerializer(many=True)},
        summary="Your streaks (overall and per course)",
        tags=["gamification"],
    )
    def get(self, request: Request) -> Response:
        from ..models import UserStreak

        streaks = UserStreak.objects.filter(user=request.user).select_related("course").order_by("course_id")
        return Response(s.StreakSerializer(streaks, many=True).data)


class VerifyStreakView(APIView):
    @extend_schema(
        request=None,
        responses={200: s.StreakSerializer(many=True)},
        summary="Check your streaks against today (in your time zone): a missed day resets them. Idempotent.",
        tags=["gamification"],
    )
    def post(self, request: Request) -> Response:
        streaks = services.streak_verify(user=request.user)
        return Response(
            s.StreakSerializer(sorted(streaks, key=lambda row: str(row.course_id or "")), many=True).data
        )


class MyPointsView(generics.ListAPIView):
    serializer_class = s.PointsEntrySerializer

    def get_queryset(self):
        return selectors.points_history(user=self.request.user)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["total_points"] = selectors.points_total(user_id=self.request.user.pk)
        return response

    @extend_schema(summary="Your points: the total and the history, newest first", tags=["gamification"])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class MyLevelView(APIView):
    @extend_schema(
        responses={200: s.LevelSerializer},
        summary="Your level and the way to the next",
        tags=["gamification"],
    )
    def get(self, request: Request) -> Response:
        return Response(s.LevelSerializer(selectors.level_status(user=request.user)).data)


class ChallengeListView(APIView):
    @extend_schema(
        responses={200: s.ChallengeSerializer(many=True)},
        summary="Active challenges with your progress",
        tags=["gamification"],
    )
    def get(self, request: Request) -> Response:
        rows = selectors.challenge_rows(user=request.user, challenges=list(selectors.active_challenges()))
        return Response(s.ChallengeSerializer(rows, many=True).data)


class ChallengeCompleteView(APIView):
    @extend_schema(
        request=None,
        responses={200: s.ChallengeSerializer, 409: E409},
        summary="Claim a challenge's reward: paid once, and only when its goal is met",
        tags=["gamification"],
    )
    def post(self, request: Request, id) -> Response:
        completion = services.challenge_complete(user=request.user, challenge_id=id)
        (row,) = selectors.challenge_rows(user=request.user, challenges=[completion.challenge])
        return Response(s.ChallengeSerializer(row).data)


# --- a course's own badges, for its staff -----------------------------------------------------


def _managed_achievement(request: Request, id) -> Achievement:
    """A course badge the caller may change (they manage its course), or 404."""
    achievement = Achievement.objects.filter(pk=id, course__isnull=False).select_related("course").first()
    if achievement is None or not can_manage_course(request.user, achievement.course):
        raise NotFound("No such badge among your courses.")
    return achievement


class CourseAchievementsView(APIView):
    @extend_schema(
        responses={200: s.CourseAchievementSerializer(many=True), 404: E404},
        summary="A course's own badges, with how many learners earned each (its instructors)",
        tags=["instructor"],
    )
    def get(self, request: Request, id) -> Response:
        course = course_selectors.managed_course(user=request.user, course_id=id)
        rows = selectors.course_achievements(course_id=course.pk)
        return Response(s.CourseAchievementSerializer(rows, many=True).data)

    @extend_schema(
        request=s.AchievementWriteSerializer,
        responses={201: s.CourseAchievementSerializer, 400: E400, 404: E404},
        summary="Add a badge to a course: a rule over what its learners do in it",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        course = course_selectors.managed_course(user=request.user, course_id=id)
        data = s.AchievementWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        achievement = services.achievement_create(actor=request.user, course=course, **data.validated_data)
        return Response(s.CourseAchievementSerializer(achievement).data, status=201)


class CourseAchievementView(APIView):
    @extend_schema(
        request=s.AchievementWriteSerializer(partial=True),
        responses={200: s.CourseAchievementSerializer, 400: E400, 404: E404},
        summary="Change a course badge (switch it off with is_active: false; who earned it keeps it)",
        tags=["instructor"],
    )
    def patch(self, request: Request, id) -> Response:
        achievement = _managed_achievement(request, id)
        data = s.AchievementWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        achievement = services.achievement_update(achievement=achievement, **data.validated_data)
        achievement.earned_count = achievement.earned.count()
        return Response(s.CourseAchievementSerializer(achievement).data)

    @extend_schema(
        responses={204: None, 404: E404, 409: E409_EARNED},
        summary="Delete a course badge nobody has earned",
        tags=["instructor"],
    )
    def delete(self, request: Request, id) -> Response:
        services.achievement_delete(achievement=_managed_achievement(request, id))
        return Response(status=204)
