"""Domain events of quizzes. Payloads carry ids and the outcome."""

from lyceum.core.events import DomainEvent

# user_id, quiz_id, course_id, attempt_id, percent (str), has_passed: sent once an attempt is
# fully graded (at submission, or when the last essay is graded)
quiz_submitted = DomainEvent("quiz_submitted")
