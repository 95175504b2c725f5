from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "lyceum.courses"
    label = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from . import cache

        cache.connect()
