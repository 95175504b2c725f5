"""Chat pages: the room list with unread badges and a live room. The live parts speak the same
socket and API as any client (static JS); the pages themselves call the chat selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lyceum.chat import selectors, services


@login_required
def room_list(request: HttpRequest) -> HttpResponse:
    rooms = selectors.rooms_of(user=request.user).select_related("course")
    invitations = selectors.invitations_of(user=request.user)
    return render(request, "web/chat/rooms.html", {"rooms": rooms, "invitations": invitations})


@login_required
@require_POST
def invitation_answer(request: HttpRequest, invitation_id) -> HttpResponse:
    """Join, decline, or decline and block whoever sent the invitation."""
    action = request.POST.get("action")
    invitation = selectors.invitations_of(user=request.user).filter(pk=invitation_id).first()
    if invitation is None:
        messages.error(request, "This invitation is no longer open.")
        return redirect("web:chat")
    if action == "accept":
        room = services.invitation_accept(invitation_id=invitation.pk, user=request.user)
        return redirect("web:chat_room", room_id=room.pk)
    if action == "block":
        services.user_block(blocker=request.user, user_id=invitation.invited_by_id)
        messages.info(request, f"You blocked {invitation.invited_by.display_name}.")
    else:
        services.invitation_decline(invitation_id=invitation.pk, user=request.user)
    return redirect("web:chat")


@login_required
@require_POST
def room_new(request: HttpRequest) -> HttpResponse:
    try:
        room = services.room_create(creator=request.user, name=request.POST.get("name", ""), member_ids=[])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("web:chat")
    return redirect("web:chat_room", room_id=room.pk)


@login_required
def room_page(request: HttpRequest, room_id) -> HttpResponse:
    room = selectors.room_for(user=request.user, room_id=room_id)
    recent = list(selectors.room_messages(room=room).order_by("-seq")[:50])[::-1]
    members = list(room.participants.select_related("user").order_by("user__username"))
    title = str(room)
    if room.kind == room.Kind.DIRECT:
        title = next((p.user.display_name for p in members if p.user_id != request.user.pk), title)
    context = {"room": room, "title": title, "recent": recent, "members": members}
    return render(request, "web/chat/room.html", context)
