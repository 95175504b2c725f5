from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone
from django.utils.text import slugify

from lyceum.accounts.tests.factories import UserFactory
from lyceum.courses.markdown import render_markdown
from lyceum.courses.models import Category, Course, Lesson, Module


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda category: slugify(category.name))


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.LazyAttribute(lambda course: slugify(course.title))
    summary = "A course."
    description = "Learn things."
    instructor = factory.SubFactory(UserFactory, roles=["student", "instructor"])
    price = Decimal("0.00")
    is_published = True
    published_at = factory.LazyFunction(timezone.now)


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    order = factory.Sequence(lambda n: n)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson
        skip_postgeneration_save = True

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    content = "Some **bold** text."
    content_html = factory.LazyAttribute(lambda lesson: render_markdown(lesson.content))
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def count(lesson, create, extracted, **kwargs):
        if create:
            Course.objects.filter(pk=lesson.module.course_id).update(
                lesson_count=Lesson.objects.filter(module__course_id=lesson.module.course_id).count()
            )


def course_with_outline(*, modules: int = 2, lessons: int = 3, **course_fields) -> Course:
    """A course with ``modules`` modules of ``lessons`` lessons each, made in bulk."""
    course = CourseFactory(**course_fields)
    made = Module.objects.bulk_create(
        [Module(course=course, title=f"Module {m + 1}", order=m) for m in range(modules)]
    )
    Lesson.objects.bulk_create(
        [
            Lesson(
                module=module,
                title=f"Lesson {m + 1}.{n + 1}",
                order=n,
                content=f"Lesson {n + 1}",
                content_html=f"<p>Lesson {n + 1}</p>",
            )
            for m, module in enumerate(made)
            for n in range(lessons)
        ]
    )
    course.lesson_count = modules * lessons
    Course.objects.filter(pk=course.pk).update(lesson_count=course.lesson_count)
    return course
