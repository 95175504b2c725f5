from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "lyceum.courses"
    label = "courses"
    verbose_name = "Courses"
