from django.urls import path

from . import views

urlpatterns = [
    path("leaderboard/", views.GlobalLeaderboardView.as_view(), name="leaderboard"),
    path("leaderboard/courses/<uuid:id>/", views.CourseLeaderboardView.as_view(), name="course_leaderboard"),
    path("my-achievements/", views.MyAchievementsView.as_view(), name="my_achievements"),
    path("streak/", views.StreakView.as_view(), name="streak"),
    path("verify-streak/", views.VerifyStreakView.as_view(), name="verify_streak"),
    path("my-points/", views.MyPointsView.as_view(), name="my_points"),
    path("my-level/", views.MyLevelView.as_view(), name="my_level"),
    path("challenges/", views.ChallengeListView.as_view(), name="challenges"),
    path("challenges/<uuid:id>/complete/", views.ChallengeCompleteView.as_view(), name="challenge_complete"),
    path(
        "instructor/courses/<uuid:id>/achievements/",
        views.CourseAchievementsView.as_view(),
        name="course_achievements",
    ),
    path(
        "instructor/achievements/<int:id>/", views.CourseAchievementView.as_view(), name="course_achievement"
    ),
]
