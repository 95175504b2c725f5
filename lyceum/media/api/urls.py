from django.urls import path

from . import views

urlpatterns = [
    path("videos/<uuid:id>/stream/<str:token>/<path:path>", views.VideoStreamView.as_view(), name="stream"),
    path("uploads/", views.UploadCreateView.as_view(), name="uploads"),
    path("uploads/<uuid:id>/", views.UploadView.as_view(), name="upload"),
    path("videos/<uuid:id>/", views.VideoView.as_view(), name="video"),
    path("videos/<uuid:id>/progress/", views.VideoProgressView.as_view(), name="video_progress"),
    path("videos/<uuid:id>/captions/", views.VideoCaptionsView.as_view(), name="video_captions"),
    path("videos/<uuid:id>/reprocess/", views.VideoReprocessView.as_view(), name="video_reprocess"),
    path("instructor/courses/<uuid:id>/videos/", views.CourseVideosView.as_view(), name="course_videos"),
    path("instructor/lessons/<uuid:id>/video/", views.LessonVideoView.as_view(), name="lesson_video"),
    path("upload-recording/", views.UploadRecordingView.as_view(), name="upload_recording"),
    path("my-recordings/", views.MyRecordingsView.as_view(), name="my_recordings"),
    path("recordings/<uuid:id>/", views.RecordingView.as_view(), name="recording"),
    path("recordings/<uuid:id>/file/", views.RecordingFileView.as_view(), name="recording_file"),
    path("courses/<uuid:id>/recordings/", views.CourseRecordingsView.as_view(), name="course_recordings"),
]
