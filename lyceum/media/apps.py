from django.apps import AppConfig


class MediaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lyceum.media"
    label = "media"
    verbose_name = "Video and recordings"
