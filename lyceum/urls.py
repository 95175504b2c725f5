from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from lyceum.core.views import health, public_media
from lyceum.web import views as web_views

admin.site.site_header = "Lyceum administration"
admin.site.site_title = "Lyceum admin"

api_urlpatterns = [
    # First: a video's playback is many requests (playlists, segments) and each resolves from here.
    path("", include(("lyceum.media.api.urls", "media"), namespace="media")),
    path("", include(("lyceum.accounts.api.urls", "accounts"), namespace="accounts")),
    path("", include(("lyceum.courses.api.urls", "courses"), namespace="courses")),
    path("", include(("lyceum.quizzes.api.urls", "quizzes"), namespace="quizzes")),
    path("", include(("lyceum.chat.api.urls", "chat"), namespace="chat")),
    path("", include(("lyceum.notifications.api.urls", "notifications"), namespace="notifications")),
    path("", include(("lyceum.access.api.urls", "access"), namespace="access")),
    path("", include(("lyceum.gamification.api.urls", "gamification"), namespace="gamification")),
    path("", include(("lyceum.coding.api.urls", "coding"), namespace="coding")),
    path("", include(("lyceum.payments.api.urls", "payments"), namespace="payments")),
    path("health/", health, name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up as a script file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("api/", include((api_urlpatterns, "api"), namespace="api")),
    path("admin/login/", web_views.admin_login),
    path("admin/", admin.site.urls),
    path("", include("lyceum.web.urls")),
    # Any other page address is the friendly 404 page, in development too (Django's DEBUG 404
    # lists every route instead). Only addresses ending in / so that APPEND_SLASH still works,
    # and none with a dot (favicon.ico, robots.txt) or under ws/ (a socket reaching HTTP).
    re_path(r"^(?!(?:api|admin|static|media|ws)/)[^.]*/$", web_views.not_found),
]

if settings.SERVE_PUBLIC_MEDIA:
    # Avatars and covers only; private uploads have views of their own that check who asks.
    urlpatterns.insert(0, re_path(r"^media/(?P<path>.+)$", public_media, name="public_media"))

handler403 = "lyceum.web.views.forbidden"
handler404 = "lyceum.web.views.not_found"
handler500 = "lyceum.web.views.server_error"
