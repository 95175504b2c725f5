"""The gamification API: leaderboards, achievements, streaks, points, level, challenges."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lyceum.core.exceptions import Forbidden, NotFound
from lyceum.core.ranking import period_param
from lyceum.courses.models import Course, CourseEnrollment
from lyceum.courses.permissions import can_teach_course

from .. import selectors, services
from . import serializers as s

PERIOD = OpenApiParameter(
    "period", str, enum=list(selectors.PERIODS), description="all (default), week or month"
)
E409 = OpenApiResponse(description="The goal is not met yet, or the reward was paid already.")


def _board(request: Request, *, scope: str, course_id=None) -> Response:
    period = period_param(request.query_params.get("period"))
    shown = selectors.board(user=request.user, course_id=course_id, period=period)
    data = {
        "scope": scope,
        "period": period,
        "ranking": "standard competition (1224)",
        "top": shown.top,
        "me": shown.me,
        "neighbours": shown.neighbours,
    }
    return Response(s.BoardSerializer(data).data)


class GlobalLeaderboardView(APIView):
    @extend_schema(
        parameters=[PERIOD],
        responses={200: s.BoardSerializer},
        summary="Global leaderboard",
        tags=["gamification"],
    )
    def get(self, request: Request) -> Response:
        return _board(request, scope="global")


class CourseLeaderboardView(APIView):
    @extend_schema(
        parameters=[PERIOD],
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
