"""Celery application. Without REDIS_URL (or CELERY_BROKER_URL) tasks run in-process: on the
embedded server's worker thread (lyceum/core/embedded_worker.py), elsewhere eagerly."""

import os

import celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lyceum.settings")


class Task(celery.Task):
    def apply_async(self, args=None, kwargs=None, task_id=None, **options):
        from django.conf import settings

        from lyceum.core import embedded_worker

        worker = embedded_worker.running()
        if worker is None or not self.app.conf.task_always_eager or not settings.EMBEDDED_TASKS_IN_BACKGROUND:
            return super().apply_async(args, kwargs, task_id=task_id, **options)
        task_id = task_id or celery.uuid()
        worker.submit(
            lambda: super(Task, self).apply_async(args, kwargs, task_id=task_id, **options), self.name
        )
        return self.AsyncResult(task_id)


app = celery.Celery("lyceum", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
