"""Chat pages: the room list with unread badges and a live room. The live parts speak the same
socket and API as any client (static JS); the pages themselves call the chat selectors."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lyceum.accounts import selectors as account_selectors
from lyceum.chat import selectors, services
from lyceum.core.exceptions import ApplicationError, NotFound


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
    me = next((p for p in members if p.user_id == request.user.pk), None)
    context = {
        "room": room,
        "title": title,
        "recent": recent,
        "members": members,
        "can_moderate": room.kind == room.Kind.GROUP and me is not None and me.role != me.Role.MEMBER,
        "can_leave": room.kind == room.Kind.GROUP,
        "pending": list(room.invitations.select_related("invitee").order_by("invitee__username"))
        if room.kind == room.Kind.GROUP
        else [],
    }
    return render(request, "web/chat/room.html", context)


@login_required
@require_POST
def room_members(request: HttpRequest, room_id) -> HttpResponse:
    """A group room's members: invite someone (by username), remove a member, or leave."""
    room = selectors.room_for(user=request.user, room_id=room_id)
    action = request.POST.get("action")
    try:
        if action == "invite":
            username = request.POST.get("username", "").strip()
            invitee = (
                account_selectors.user_list(viewer=request.user).filter(username__iexact=username).first()
            )
            if invitee is None:
                raise ValidationError({"username": [f"No user is called {username!r}."]})
            participant, invited = services.participant_add(room=room, actor=request.user, user_id=invitee.pk)
            if invited:
                messages.success(request, f"Invited {invitee.display_name}: they join when they accept.")
            elif participant is not None:
                messages.success(request, f"{invitee.display_name} is in the room.")
        elif action == "remove":
            try:
                member_id = uuid.UUID(request.POST.get("user", ""))
            except ValueError:
                raise ValidationError({"user": ["Choose a member."]}) from None
            services.participant_remove(room=room, actor=request.user, user_id=member_id)
            messages.success(request, "Removed from the room.")
        elif action == "leave":
            services.participant_remove(room=room, actor=request.user, user_id=request.user.pk)
            messages.success(request, f"You left {room}.")
            return redirect("web:chat")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("web:chat_room", room_id=room.pk)


@login_required
@require_POST
def direct(request: HttpRequest, user_id) -> HttpResponse:
    """Opens (or creates) the direct conversation with a user."""
    try:
        room, _ = services.direct_room(user=request.user, other_id=user_id)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("web:people")
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("web:user_profile", user_id=user_id)
    return redirect("web:chat_room", room_id=room.pk)


@login_required
def people(request: HttpRequest) -> HttpResponse:
    """Find people by name or username, to open their page or message them."""
    query = request.GET.get("q", "").strip()[:100]
    users = account_selectors.user_list(viewer=request.user, search=query).exclude(pk=request.user.pk)
    page = Paginator(users, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "web/chat/people.html",
        {"page": page, "q": query, "query": urlencode({"q": query}) if query else ""},
    )


@login_required
def user_profile(request: HttpRequest, user_id) -> HttpResponse:
    """Another user's public page: who they are, and buttons to message or invite them."""
    person = account_selectors.user_get(viewer=request.user, user_id=user_id)
    if person is None:
        raise NotFound("No such user.")
    rooms = selectors.rooms_to_invite_to(user=request.user, invitee=person) if person != request.user else []
    return render(request, "web/chat/user.html", {"person": person, "rooms": rooms})


@login_required
@require_POST
def invite_to_room(request: HttpRequest, user_id) -> HttpResponse:
    """From a user's page: invite them to one of my group rooms."""
    try:
        room_id = uuid.UUID(request.POST.get("room", ""))
    except ValueError:
        messages.error(request, "Choose one of your rooms.")
        return redirect("web:user_profile", user_id=user_id)
    room = selectors.room_for(user=request.user, room_id=room_id)
    try:
        _, invited = services.participant_add(room=room, actor=request.user, user_id=user_id)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Invitation sent." if invited else f"Added to {room}.")
    return redirect("web:user_profile", user_id=user_id)
