"""Recording pages: record with the camera or the screen, and my recordings. They call the media
services; the recording page's script uploads through the API (resumable)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lyceum.core.exceptions import ApplicationError
from lyceum.media import selectors, services
from lyceum.media.models import Recording


@login_required
def recordings(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_recordings(user=request.user), 12).get_page(request.GET.get("page"))
    return render(
        request,
        "web/media/recordings.html",
        {
            "page": page,
            "courses": list(selectors.shareable_courses(user=request.user)),
            "visibilities": Recording.Visibility.choices,
        },
    )


@login_required
def recording_new(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/media/recording_new.html",
        {"courses": list(selectors.shareable_courses(user=request.user))},
    )


@login_required
@require_POST
def recording_action(request: HttpRequest, recording_id) -> HttpResponse:
    """Rename or share (one form), or delete, one of your recordings."""
    try:
        recording = selectors.recording_for_viewer(viewer=request.user, recording_id=recording_id)
        if request.POST.get("action") == "delete":
            services.recording_delete(recording=recording, actor=request.user)
            messages.success(request, "Recording deleted.")
        else:
            services.recording_update(
                recording=recording,
                actor=request.user,
                title=request.POST.get("title", recording.title),
                visibility=request.POST.get("visibility") or recording.visibility,
                course_id=request.POST.get("course") or None,
            )
            messages.success(request, "Recording saved.")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("web:recordings")
