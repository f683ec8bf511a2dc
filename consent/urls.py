from django.urls import path

from . import views

app_name = "consent"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("save/", views.save_settings, name="save"),
    path("accept/", views.accept_all, name="accept"),
    path("decline/", views.decline_all, name="decline"),
    path("trailer/", views.play_trailer, name="trailer"),
]
