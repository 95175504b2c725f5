"""The badge editor's form: a course badge's rule built from up to three conditions, no JSON."""

from __future__ import annotations

from django import forms

from lyceum.gamification.models import ICONS

# Each condition: its label, the rule it makes from the number, and what the number means.
CONDITIONS = {
    "lessons_completed": (
        "Lessons completed in this course",
        lambda n: {"type": "lessons_completed", "count": n},
    ),
    "course_completed": ("This course completed", lambda n: {"type": "courses_completed", "count": 1}),
    "quiz_passed": (
        "A quiz of this course passed with at least (percent)",
        lambda n: {"type": "quiz_passed", "min_percent": n},
    ),
    "streak": ("Days in a row of learning in this course", lambda n: {"type": "streak", "days": n}),
    "points": ("Points earned in this course", lambda n: {"type": "points", "total": n}),
    "course_rank": (
        "Among the top of this course's leaderboard",
        lambda n: {"type": "course_rank", "top": n},
    ),
}
CONDITION_CHOICES = [("", "—")] + [(key, label) for key, (label, _) in CONDITIONS.items()]
ROWS = 3


class AchievementForm(forms.Form):
    title = forms.CharField(max_length=120)
    description = forms.CharField(max_length=500, help_text="How to earn it, as learners will read it.")
    icon = forms.ChoiceField(choices=[(icon, icon.title()) for icon in ICONS], initial="star")
    points = forms.IntegerField(min_value=0, max_value=1000, initial=10, help_text="Paid when it is earned.")
    match = forms.ChoiceField(
        choices=[("all", "Every condition"), ("any", "Any one condition")],
        initial="all",
        label="Earned when",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, ROWS + 1):
            self.fields[f"condition_{n}"] = forms.ChoiceField(
                choices=CONDITION_CHOICES, required=n == 1, label=f"Condition {n}"
            )
            self.fields[f"number_{n}"] = forms.IntegerField(
                min_value=1, max_value=100000, required=False, label=f"Number {n}"
            )

    def clean(self) -> dict:
        data = super().clean()
        rules = []
        for n in range(1, ROWS + 1):
            kind, number = data.get(f"condition_{n}"), data.get(f"number_{n}")
            if not kind:
                continue
            if kind != "course_completed" and number is None:
                self.add_error(f"number_{n}", "This condition needs a number.")
                continue
            rules.append(CONDITIONS[kind][1](number))
        if rules:
            data["rule"] = rules[0] if len(rules) == 1 else {"type": data.get("match", "all"), "rules": rules}
        elif not self.errors:
            self.add_error("condition_1", "Choose at least one condition.")
        return data

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"condition_{n}"], self[f"number_{n}"]) for n in range(1, ROWS + 1)]
