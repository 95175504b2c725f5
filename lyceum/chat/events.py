"""Domain events of chat."""

from lyceum.core.events import DomainEvent

# room_id, room_name, message_id, sender_id, sender_name, seq
message_created = DomainEvent("message_created")
# room_id, room_name, invitee_ids, inviter_name
room_invited = DomainEvent("room_invited")
