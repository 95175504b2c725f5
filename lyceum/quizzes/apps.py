from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _started_here(sender, kwargs) -> bool:
    """Whether a deletion began at this model (not a cascade from the question, quiz or course
    above it, whose own deletion is what counts)."""
    origin = kwargs.get("origin")
    if origin is None:  # a save
        return True
    return isinstance(origin, sender) or getattr(origin, "model", None) is sender


def _question_changed(sender, instance, **kwargs) -> None:
    from .models import Quiz

    if _started_here(sender, kwargs):
        Quiz.bump_content(instance.quiz_id)


def _choice_changed(sender, instance, **kwargs) -> None:
    from .models import Question, Quiz

    if not _started_here(sender, kwargs):
        return

    quiz_id = Question.objects.filter(pk=instance.question_id).values_list("quiz_id", flat=True).first()
    if quiz_id is not None:
        Quiz.bump_content(quiz_id)


class QuizzesConfig(AppConfig):
    name = "lyceum.quizzes"
    label = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        # Every saved or deleted question or choice (the services, the admin, a shell) moves its
        # quiz's content_version, under which servers keep questions in memory (selectors.py);
        # bulk writes, which send no signal, call Quiz.bump_content themselves.
        from .models import Choice, Question

        post_save.connect(_question_changed, sender=Question, dispatch_uid="quizzes.question_saved")
        post_delete.connect(_question_changed, sender=Question, dispatch_uid="quizzes.question_deleted")
        post_save.connect(_choice_changed, sender=Choice, dispatch_uid="quizzes.choice_saved")
        post_delete.connect(_choice_changed, sender=Choice, dispatch_uid="quizzes.choice_deleted")
