from django.urls import path

from . import chat_views, console_views, course_views, quiz_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("login/", views.login, name="login"),
    path("login/google/", views.login_google, name="login_google"),
    path("logout/", views.logout, name="logout"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("verify-email/resend/", views.verify_email_resend, name="verify_email_resend"),
    path("verify-email/<str:token>/", views.verify_email, name="verify_email"),
    path("notifications/", views.notifications, name="notifications"),
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/avatar/", views.profile_avatar, name="profile_avatar"),
    path("profile/password/", views.profile_password, name="profile_password"),
    path("courses/", course_views.catalog, name="catalog"),
    path("courses/<slug:slug>/", course_views.course_detail, name="course_detail"),
    path("courses/<slug:slug>/enroll/", course_views.course_enroll, name="course_enroll"),
    path("courses/<slug:slug>/unenroll/", course_views.course_unenroll, name="course_unenroll"),
    path("courses/<slug:slug>/lessons/<uuid:lesson_id>/", course_views.lesson_player, name="lesson"),
    path(
        "courses/<slug:slug>/lessons/<uuid:lesson_id>/complete/",
        course_views.lesson_complete,
        name="lesson_complete",
    ),
    path("my-courses/", course_views.my_courses, name="my_courses"),
    path("teach/", course_views.teach, name="teach"),
    path("teach/courses/new/", course_views.teach_course_new, name="teach_course_new"),
    path("teach/courses/<uuid:course_id>/", course_views.teach_course, name="teach_course"),
    path(
        "teach/courses/<uuid:course_id>/publish/",
        course_views.teach_course_publish,
        name="teach_course_publish",
    ),
    path(
        "teach/courses/<uuid:course_id>/delete/", course_views.teach_course_delete, name="teach_course_delete"
    ),
    path("teach/courses/<uuid:course_id>/modules/", course_views.teach_module_add, name="teach_module_add"),
    path("teach/modules/<uuid:module_id>/", course_views.teach_module_action, name="teach_module"),
    path("teach/lessons/<uuid:lesson_id>/", course_views.teach_lesson, name="teach_lesson"),
    path("teach/lessons/<uuid:lesson_id>/files/", course_views.teach_lesson_files, name="teach_lesson_files"),
    path("teach/courses/<uuid:course_id>/cover/", course_views.teach_course_cover, name="teach_course_cover"),
    path("chat/", chat_views.room_list, name="chat"),
    path("chat/new/", chat_views.room_new, name="chat_new"),
    path("chat/invitations/<uuid:invitation_id>/", chat_views.invitation_answer, name="chat_invitation"),
    path("chat/<uuid:room_id>/", chat_views.room_page, name="chat_room"),
    path("chat/<uuid:room_id>/members/", chat_views.room_members, name="chat_members"),
    path("chat/direct/<uuid:user_id>/", chat_views.direct, name="chat_direct"),
    path("people/", chat_views.people, name="people"),
    path("people/<uuid:user_id>/", chat_views.user_profile, name="user_profile"),
    path("people/<uuid:user_id>/invite/", chat_views.invite_to_room, name="user_invite"),
    path("quizzes/<uuid:quiz_id>/", quiz_views.quiz_intro, name="quiz"),
    path("quizzes/<uuid:quiz_id>/start/", quiz_views.quiz_start, name="quiz_start"),
    path("quiz-attempts/<uuid:attempt_id>/", quiz_views.attempt_page, name="attempt"),
    path("quiz-attempts/<uuid:attempt_id>/submit/", quiz_views.attempt_submit, name="attempt_submit"),
    path("teach/courses/<uuid:course_id>/quizzes/new/", quiz_views.teach_quiz_new, name="teach_quiz_new"),
    path("teach/quizzes/<uuid:quiz_id>/", quiz_views.teach_quiz, name="teach_quiz"),
    path(
        "teach/lessons/<uuid:lesson_id>/action/", course_views.teach_lesson_action, name="teach_lesson_action"
    ),
    path(
        "teach/courses/<uuid:course_id>/people/",
        console_views.teach_course_people,
        name="teach_course_people",
    ),
    path("console/", console_views.console, name="console"),
    path("console/users/<uuid:user_id>/", console_views.console_user, name="console_user"),
    path("console/users/<uuid:user_id>/roles/", console_views.console_user_roles, name="console_user_roles"),
    path(
        "console/users/<uuid:user_id>/suspend/",
        console_views.console_user_suspend,
        name="console_user_suspend",
    ),
    path("console/roles/", console_views.console_roles, name="console_roles"),
    path("console/roles/<int:role_id>/", console_views.console_role, name="console_role"),
    path("console/audit/", console_views.console_audit, name="console_audit"),
]
