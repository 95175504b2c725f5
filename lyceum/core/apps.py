from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lyceum.core"
    label = "core"
    verbose_name = "Core"
