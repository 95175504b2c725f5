from django.apps import AppConfig


class MediaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lyceum.media"
    label = "media"
    verbose_name = "Video and recordings"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from lyceum.courses.cache import catalog_changed

        from . import services
        from .models import Recording, Video

        def video_deleted(sender, instance, **kwargs) -> None:
            services.files_of_deleted_video(video=instance)

        def recording_deleted(sender, instance, **kwargs) -> None:
            services.files_of_deleted_recording(recording=instance)

        post_delete.connect(video_deleted, sender=Video, dispatch_uid="media.video_files")
        post_delete.connect(recording_deleted, sender=Recording, dispatch_uid="media.recording_files")

        # A course's outline shows which lessons have a video: its cached pages go.
        def video_changed(sender, **kwargs) -> None:
            catalog_changed()

        post_save.connect(video_changed, sender=Video, dispatch_uid="media.video_catalog_saved")
        post_delete.connect(video_changed, sender=Video, dispatch_uid="media.video_catalog_deleted")
