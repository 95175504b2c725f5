from django.urls import path

from . import views

urlpatterns = [
    path("code/languages/", views.LanguagesView.as_view(), name="code_languages"),
    path("code/run/", views.RunView.as_view(), name="code_run"),
    path("code/execute/", views.LegacyExecuteView.as_view(), name="code_execute"),
    # Piston v2: a self-hosted Piston's paths, and emkc.org's public instance's.
    path("code/api/v2/execute", views.PistonExecuteView.as_view(), name="piston_execute"),
    path("code/api/v2/runtimes", views.PistonRuntimesView.as_view(), name="piston_runtimes"),
    path("code/api/v2/piston/execute", views.PistonExecuteView.as_view(), name="piston_public_execute"),
    path("code/api/v2/piston/runtimes", views.PistonRuntimesView.as_view(), name="piston_public_runtimes"),
]
