from django.apps import AppConfig


class GamificationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lyceum.gamification"
    label = "gamification"
    verbose_name = "Gamification"

    def ready(self) -> None:
        from . import subscribers

        subscribers.connect()
