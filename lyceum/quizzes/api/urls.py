from django.urls import path

from . import views

urlpatterns = [
    path("quizzes/<uuid:id>/", views.QuizDetailView.as_view(), name="quiz_detail"),
    path("courses/<uuid:id>/quizzes/", views.CourseQuizListView.as_view(), name="course_quizzes"),
    path("my-quizzes/", views.MyOpenQuizzesView.as_view(), name="my_quizzes"),
    path("quizzes/<uuid:id>/attempts/", views.MyQuizAttemptsView.as_view(), name="my_attempts"),
    path("instructor/essays/", views.InstructorEssayListView.as_view(), name="instructor_essays"),
    path("quizzes/<uuid:id>/leaderboard/", views.LeaderboardView.as_view(), name="quiz_leaderboard"),
    path("quiz-attempts/", views.AttemptStartView.as_view(), name="attempt_start"),
    path("quiz-attempts/<uuid:id>/", views.AttemptDetailView.as_view(), name="attempt_detail"),
    path("quiz-attempts/<uuid:id>/answers/", views.AttemptAnswersView.as_view(), name="attempt_answers"),
    path("quiz-attempts/<uuid:id>/submit/", views.AttemptSubmitView.as_view(), name="attempt_submit"),
    path(
        "instructor/courses/<uuid:id>/quizzes/",
        views.InstructorQuizCreateView.as_view(),
        name="instructor_quiz_create",
    ),
    path("instructor/quizzes/<uuid:id>/", views.InstructorQuizView.as_view(), name="instructor_quiz"),
    path(
        "instructor/quizzes/<uuid:id>/questions/",
        views.InstructorQuestionCreateView.as_view(),
        name="instructor_questions",
    ),
    path(
        "instructor/quizzes/<uuid:id>/import-gift/",
        views.InstructorGiftImportView.as_view(),
        name="instructor_gift_import",
    ),
    path(
        "instructor/quizzes/<uuid:id>/export-gift/",
        views.InstructorGiftExportView.as_view(),
        name="instructor_gift_export",
    ),
    path(
        "instructor/quizzes/<uuid:id>/attempts/",
        views.InstructorAttemptListView.as_view(),
        name="instructor_attempts",
    ),
    path(
        "instructor/questions/<uuid:id>/", views.InstructorQuestionView.as_view(), name="instructor_question"
    ),
    path(
        "instructor/answers/<uuid:id>/grade/",
        views.InstructorEssayGradeView.as_view(),
        name="instructor_essay_grade",
    ),
]
