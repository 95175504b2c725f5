from django.urls import path

from . import views

urlpatterns = [
    path("categories/", views.CategoryListView.as_view(), name="category_list"),
    path("courses/", views.CourseListView.as_view(), name="course_list"),
    path("courses/<uuid:id>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<uuid:id>/enroll/", views.EnrollView.as_view(), name="course_enroll"),
    path("courses/<uuid:id>/progress/", views.CourseProgressView.as_view(), name="course_progress"),
    path("my-courses/", views.MyCoursesView.as_view(), name="my_courses"),
    path("lessons/<uuid:id>/", views.LessonDetailView.as_view(), name="lesson_detail"),
    path("lessons/<uuid:id>/complete/", views.LessonCompleteView.as_view(), name="lesson_complete"),
    path("lessons/resources/<int:id>/file/", views.LessonResourceFileView.as_view(), name="resource_file"),
    path("instructor/courses/", views.InstructorCourseListView.as_view(), name="instructor_courses"),
    path(
        "instructor/courses/<uuid:id>/", views.InstructorCourseDetailView.as_view(), name="instructor_course"
    ),
    path(
        "instructor/courses/<uuid:id>/publish/",
        views.InstructorCoursePublishView.as_view(),
        name="instructor_course_publish",
    ),
    path(
        "instructor/courses/<uuid:id>/unpublish/",
        views.InstructorCoursePublishView.as_view(publish_it=False),
        name="instructor_course_unpublish",
    ),
    path(
        "instructor/courses/<uuid:id>/modules/",
        views.InstructorModuleListView.as_view(),
        name="instructor_modules",
    ),
    path(
        "instructor/courses/<uuid:id>/modules/reorder/",
        views.InstructorModuleReorderView.as_view(),
        name="instructor_modules_reorder",
    ),
    path(
        "instructor/modules/<uuid:id>/", views.InstructorModuleDetailView.as_view(), name="instructor_module"
    ),
    path(
        "instructor/modules/<uuid:id>/lessons/",
        views.InstructorLessonListView.as_view(),
        name="instructor_lessons",
    ),
    path(
        "instructor/modules/<uuid:id>/lessons/reorder/",
        views.InstructorLessonReorderView.as_view(),
        name="instructor_lessons_reorder",
    ),
    path(
        "instructor/lessons/<uuid:id>/", views.InstructorLessonDetailView.as_view(), name="instructor_lesson"
    ),
    path(
        "instructor/courses/<uuid:id>/cover/",
        views.InstructorCourseCoverView.as_view(),
        name="instructor_course_cover",
    ),
    path(
        "instructor/lessons/<uuid:id>/resources/",
        views.InstructorLessonResourceView.as_view(),
        name="instructor_lesson_resources",
    ),
    path(
        "instructor/resources/<int:id>/",
        views.InstructorResourceDetailView.as_view(),
        name="instructor_resource",
    ),
    path("instructor/markdown/preview/", views.MarkdownPreviewView.as_view(), name="markdown_preview"),
]
