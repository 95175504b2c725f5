"""Domain events of code exercises. Payloads carry ids."""

from lyceum.core.events import DomainEvent

# user_id, exercise_id, course_id, submission_id, points: a submission passed every test
code_exercise_passed = DomainEvent("code_exercise_passed")
