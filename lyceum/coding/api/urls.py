from django.urls import path

from . import views

urlpatterns = [
    path("code/languages/", views.LanguagesView.as_view(), name="code_languages"),
    path("code/run/", views.RunView.as_view(), name="code_run"),
    path("code/execute/", views.LegacyExecuteView.as_view(), name="code_execute"),
    # Piston v2: a self-hosted Piston's paths, and emkc.org's public instance's.
    path("code/api/v2/execute", views.PistonExecuteView.as_view(), name="piston_execute"),
    path("code/api/v2/runtimes", views.PistonRuntimesView.as_view(), name="piston_runtimes"),
    path("code/api/v2/piston/execute", views.PistonExecuteView.as_view(), name="piston_public_execute"),
    path("code/api/v2/piston/runtimes", views.PistonRuntimesView.as_view(), name="piston_public_runtimes"),
    path("code/exercises/<uuid:id>/", views.ExerciseView.as_view(), name="code_exercise"),
    path(
        "code/exercises/<uuid:id>/submissions/",
        views.ExerciseSubmissionsView.as_view(),
        name="code_exercise_submissions",
    ),
    path("code/submissions/", views.SubmissionCreateView.as_view(), name="code_submissions"),
    path("code/submissions/batch/", views.SubmissionBatchView.as_view(), name="code_submissions_batch"),
    path("code/submissions/<uuid:id>/", views.SubmissionView.as_view(), name="code_submission"),
    path(
        "instructor/courses/<uuid:id>/exercises/",
        views.CourseExercisesView.as_view(),
        name="course_exercises",
    ),
    path("instructor/exercises/<uuid:id>/", views.ExerciseStaffView.as_view(), name="code_exercise_staff"),
]
