from django.apps import AppConfig


class MediaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lyceum.media"
    label = "media"
    verbose_name = "Video and recordings"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from . import services
        from .models import Recording, Video

        def video_deleted(sender, instance, **kwargs) -> None:
            services.files_of_deleted_video(video=instance)

        def recording_deleted(sender, instance, **kwargs) -> None:
            services.files_of_deleted_recording(recording=instance)

        post_delete.connect(video_deleted, sender=Video, dispatch_uid="media.video_files")
        post_delete.connect(recording_deleted, sender=Recording, dispatch_uid="media.recording_files")
