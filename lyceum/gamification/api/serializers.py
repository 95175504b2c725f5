"""Response shapes of the gamification API."""

from __future__ import annotations

from rest_framework import serializers

from ..models import ICONS, Achievement, PointsEntry, UserStreak


class BoardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    user_id = serializers.UUIDField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    points = serializers.IntegerField()


class BoardSerializer(serializers.Serializer):
    scope = serializers.CharField()
    period = serializers.ChoiceField(choices=["all", "week", "month"])
    ranking = serializers.CharField(
        help_text="standard competition ranking: equal points share a rank (1, 2, 2, 4)"
    )
    top = BoardRowSerializer(many=True)
    me = BoardRowSerializer(allow_null=True)
    neighbours = BoardRowSerializer(many=True)


class AchievementStatusSerializer(serializers.ModelSerializer):
    earned_at = serializers.DateTimeField(allow_null=True)
    icon_url = serializers.SerializerMethodField()
    course_id = serializers.UUIDField(allow_null=True, help_text="Set on a course's own badge")
    course_title = serializers.CharField(source="course.title", allow_null=True, default=None)

    class Meta:
        model = Achievement
        fields = [
            "id",
            "slug",
            "title",
            "description",
            "icon",
            "icon_url",
            "points",
            "rule",
            "course_id",
            "course_title",
            "earned_at",
        ]
        read_only_fields = fields

    def get_icon_url(self, achievement: Achievement) -> str:
        from django.templatetags.static import static

        return static(f"web/badges/{achievement.icon}.svg")


class StreakSerializer(serializers.ModelSerializer):
    course_id = serializers.UUIDField(allow_null=True)
    course_title = serializers.CharField(source="course.title", allow_null=True, default=None)

    class Meta:
        model = UserStreak
        fields = ["course_id", "course_title", "current", "longest", "last_active_day"]
        read_only_fields = fields


class PointsEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = PointsEntry
        fields = ["id", "amount", "reason", "source", "course_id", "quiz_id", "created_at"]
        read_only_fields = fields


class LevelSerializer(serializers.Serializer):
    total_points = serializers.IntegerField(source="total")
    level = serializers.IntegerField(source="level.number", allow_null=True, default=None)
    title = serializers.CharField(source="level.title", allow_null=True, default=None)
    next_level = serializers.IntegerField(source="next_level.number", allow_null=True, default=None)
    next_title = serializers.CharField(source="next_level.title", allow_null=True, default=None)
    points_to_next = serializers.IntegerField()
    progress_percent = serializers.IntegerField()


class ChallengeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="challenge.pk")
    title = serializers.CharField(source="challenge.title")
    description = serializers.CharField(source="challenge.description")
    goal = serializers.CharField(source="challenge.goal")
    target = serializers.IntegerField(source="challenge.target")
    course_id = serializers.UUIDField(source="challenge.course_id", allow_null=True)
    starts_at = serializers.DateTimeField(source="challenge.starts_at")
    ends_at = serializers.DateTimeField(source="challenge.ends_at")
    reward_points = serializers.IntegerField(source="challenge.reward_points")
    progress = serializers.IntegerField()
    completed = serializers.BooleanField()


class CourseAchievementSerializer(serializers.ModelSerializer):
    """A course's own badge, as its staff see it."""

    earned_count = serializers.IntegerField(default=0, help_text="Learners who earned it")

    class Meta:
        model = Achievement
        fields = [
            "id",
            "slug",
            "title",
            "description",
            "icon",
            "points",
            "rule",
            "is_active",
            "earned_count",
            "created_at",
        ]
        read_only_fields = fields


class AchievementWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=500)
    icon = serializers.ChoiceField(choices=ICONS, default="star")
    points = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    rule = serializers.JSONField(
        help_text='What earns it (README, "Gamification"), e.g. {"type": "lessons_completed", "count": 5}; '
        "counted in this course only"
    )
    is_active = serializers.BooleanField(default=True)
