"""Domain events of courses. Payloads carry ids."""

from lyceum.core.events import DomainEvent

# user_id, course_id
course_enrolled = DomainEvent("course_enrolled")
# user_id, course_id
course_unenrolled = DomainEvent("course_unenrolled")
# user_id, lesson_id, course_id
lesson_completed = DomainEvent("lesson_completed")
# user_id, course_id
course_completed = DomainEvent("course_completed")
