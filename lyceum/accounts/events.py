"""Domain events of accounts. Payloads carry ids, not objects."""

from lyceum.core.events import DomainEvent

# user_id
user_registered = DomainEvent("user_registered")
# user_id
user_logged_out = DomainEvent("user_logged_out")
# user_id, reason ("password_changed" | "token_reuse"): every session of the user must end
sessions_revoked = DomainEvent("sessions_revoked")
