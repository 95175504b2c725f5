"""Achievement rules: declarative JSON an instructor or admin writes without code, checked by a
JSON Schema (the ``jsonschema`` library) and evaluated against a learner's facts.

    {"type": "lessons_completed", "count": 1}           first lesson
    {"type": "courses_completed", "count": 1}           a course finished
    {"type": "quiz_passed", "min_percent": 100}         a quiz passed with 100 % (count: 1)
    {"type": "streak", "days": 7}                       a 7-day streak
    {"type": "points", "total": 500}                    500 points
    {"type": "course_rank", "top": 10}                  top 10 of a course's board
    {"type": "all", "rules": [...]}, {"type": "any", "rules": [...]}   combinations
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from lyceum.core.exceptions import ApplicationError

_COUNT = {"type": "integer", "minimum": 1, "maximum": 100000}
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$ref": "#/$defs/rule",
    "$defs": {
        "rule": {
            "oneOf": [
                {"$ref": "#/$defs/lessons"},
                {"$ref": "#/$defs/courses"},
                {"$ref": "#/$defs/quiz"},
                {"$ref": "#/$defs/streak"},
                {"$ref": "#/$defs/points"},
                {"$ref": "#/$defs/rank"},
                {"$ref": "#/$defs/combination"},
            ]
        },
        "lessons": {
            "type": "object",
            "properties": {"type": {"const": "lessons_completed"}, "count": _COUNT},
            "required": ["type", "count"],
            "additionalProperties": False,
        },
        "courses": {
            "type": "object",
            "properties": {"type": {"const": "courses_completed"}, "count": _COUNT},
            "required": ["type", "count"],
            "additionalProperties": False,
        },
        "quiz": {
            "type": "object",
            "properties": {
                "type": {"const": "quiz_passed"},
                "min_percent": {"type": "number", "minimum": 0, "maximum": 100},
                "count": _COUNT,
            },
            "required": ["type"],
            "additionalProperties": False,
        },
        "streak": {
            "type": "object",
            "properties": {
                "type": {"const": "streak"},
                "days": {"type": "integer", "minimum": 2, "maximum": 3650},
            },
            "required": ["type", "days"],
            "additionalProperties": False,
        },
        "points": {
            "type": "object",
            "properties": {"type": {"const": "points"}, "total": _COUNT},
            "required": ["type", "total"],
            "additionalProperties": False,
        },
        "rank": {
            "type": "object",
            "properties": {
                "type": {"const": "course_rank"},
                "top": {"type": "integer", "minimum": 1, "maximum": 1000},
            },
            "required": ["type", "top"],
            "additionalProperties": False,
        },
        "combination": {
            "type": "object",
            "properties": {
                "type": {"enum": ["all", "any"]},
                "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}, "minItems": 1, "maxItems": 10},
            },
            "required": ["type", "rules"],
            "additionalProperties": False,
        },
    },
}
_VALIDATOR = Draft202012Validator(SCHEMA)
MAX_DEPTH = 4


def _depth(rule: Any) -> int:
    if isinstance(rule, dict) and isinstance(rule.get("rules"), list):
        return 1 + max((_depth(child) for child in rule["rules"]), default=0)
    return 1


def validate_rule(rule: Any) -> dict:
    """The rule, or a 400 that says what is wrong with it and where."""
    error = best_match(_VALIDATOR.iter_errors(rule))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the rule"
        raise ApplicationError(
            f"The rule is not valid at {where}: {error.message}",
            code="invalid_rule",
            fields={"rule": [error.message]},
        )
    if _depth(rule) > MAX_DEPTH:
        raise ApplicationError(
            f"Rules nest at most {MAX_DEPTH} deep.",
            code="invalid_rule",
            fields={"rule": ["Nested too deep."]},
        )
    return rule


class Facts:
    """What rules ask about one learner, each read once and only when a rule asks."""

    def __init__(self, loaders: dict[str, Callable[..., Any]]) -> None:
        self._loaders = loaders
        self._cache: dict[Any, Any] = {}

    def get(self, name: str, *args: Any) -> Any:
        key = (name, *args)
        if key not in self._cache:
            self._cache[key] = self._loaders[name](*args)
        return self._cache[key]


def holds(rule: dict, facts: Facts) -> bool:
    kind = rule["type"]
    if kind == "all":
        return all(holds(child, facts) for child in rule["rules"])
    if kind == "any":
        return any(holds(child, facts) for child in rule["rules"])
    if kind == "lessons_completed":
        return facts.get("lessons_completed") >= rule["count"]
    if kind == "courses_completed":
        return facts.get("courses_completed") >= rule["count"]
    if kind == "quiz_passed":
        return facts.get("quizzes_passed", float(rule.get("min_percent", 0))) >= rule.get("count", 1)
    if kind == "streak":
        return facts.get("longest_streak") >= rule["days"]
    if kind == "points":
        return facts.get("points") >= rule["total"]
    if kind == "course_rank":
        best = facts.get("best_course_rank")
        return best is not None and best <= rule["top"]
    raise ValueError(f"Unknown rule type {kind!r}")  # the schema lets none through
