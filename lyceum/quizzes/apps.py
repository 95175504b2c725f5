from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "lyceum.quizzes"
    label = "quizzes"
    verbose_name = "Quizzes"
