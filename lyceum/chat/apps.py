from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "lyceum.chat"
    label = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from . import subscribers

        subscribers.connect()
