"""Forms of the course pages; the courses services apply every rule."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from lyceum.courses.models import CURRENCIES, Course


class CatalogFilterForm(forms.Form):
    search = forms.CharField(
        required=False,
        max_length=200,
        label="Search courses",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Python, painting…"}),
    )
    category = forms.ChoiceField(required=False, choices=[])
    level = forms.ChoiceField(required=False, choices=[("", "Any level"), *Course.Level.choices])
    price = forms.ChoiceField(
        required=False, choices=[("", "Free or paid"), ("free", "Free"), ("paid", "Paid")]
    )
    ordering = forms.ChoiceField(
        required=False,
        label="Sort by",
        choices=[("newest", "Newest"), ("popular", "Most popular"), ("title", "Title")],
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any category"), *[(c.slug, c.name) for c in categories]]


class CourseForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=220, required=False, help_text="The course's address; made from the title if left empty."
    )
    summary = forms.CharField(max_length=300, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))
    price = forms.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=Decimal("0.00"),
        help_text="0 makes the course free.",
    )
    currency = forms.ChoiceField(choices=CURRENCIES, initial="USD")
    level = forms.ChoiceField(choices=Course.Level.choices)
    category = forms.CharField(max_length=100, required=False)
    tags = forms.CharField(max_length=500, required=False, help_text="Separate with commas.")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["tags"] = [tag.strip() for tag in data["tags"].split(",") if tag.strip()]
        return data


class ModuleForm(forms.Form):
    title = forms.CharField(max_length=200, label="Module title")


class LessonForm(forms.Form):
    title = forms.CharField(max_length=200, label="Lesson title")
    module = forms.ChoiceField(choices=[])
    content = forms.CharField(
        required=False, label="Content (Markdown)", widget=forms.Textarea(attrs={"rows": 16, "class": "code"})
    )
    video_url = forms.URLField(
        required=False,
        label="Video URL",
        assume_scheme="https",
        help_text="A YouTube or Vimeo page, or a video file's address.",
    )
    estimated_minutes = forms.IntegerField(
        min_value=1, max_value=24 * 60, initial=5, label="Estimated minutes"
    )
    is_preview = forms.BooleanField(
        required=False, label="Free preview: anyone may read it without enrolling"
    )

    def __init__(self, *args, modules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [(str(m.pk), m.title) for m in modules]
