from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lyceum.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from . import subscribers

        subscribers.connect()
