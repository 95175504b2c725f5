"""Lessons' uploaded videos (the former Lesson.video_file) become Video rows, waiting to be
processed: the periodic sweep queues them."""

import uuid

from django.db import migrations


def forwards(apps, schema_editor):
    Lesson = apps.get_model("courses", "Lesson")
    Video = apps.get_model("media", "Video")
    for lesson in Lesson.objects.exclude(video_file="").select_related("module"):
        Video.objects.create(
            id=uuid.uuid4(),
            course_id=lesson.module.course_id,
            lesson_id=lesson.pk,
            title=lesson.title,
            source=lesson.video_file.name,
            status="uploaded",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0001_initial"),
        ("courses", "0002_resource_content_type"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
