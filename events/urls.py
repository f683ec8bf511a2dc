from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("screenings/", views.screenings, name="screenings"),
    path("screenings/register/", views.register, name="register"),
    path("screenings/registered/", views.registered, name="registered"),
    path("screenings/link/", views.send_link, name="send-link"),
    path("screenings/manage/<str:token>/", views.manage, name="manage"),
    path("screenings/manage/<str:token>/cancel/", views.cancel, name="cancel"),
    path("screenings/manage/<str:token>/restore/", views.restore, name="restore"),
    path("tour/", views.tour, name="tour"),
    path("resources/", views.resources, name="resources"),
    path("tour/feed.ics", views.tour_feed, name="tour-feed"),
    path("tour/<int:pk>.ics", views.screening_ics, name="screening-ics"),
    path("tour/<int:pk>-<str:slug>/", views.screening, name="screening"),
    path("tour/<int:pk>/", views.screening, name="screening-short"),
    path("tour/<int:pk>/join/", views.join, name="join"),
    path("tour/<int:pk>/contact/", views.contact, name="contact"),
    path("screenings/manage/<str:token>/message/", views.message_guests, name="message-guests"),
    path("screenings/report/<str:token>/", views.report, name="report"),
    path("screenings/guest/<str:token>/", views.guest, name="guest"),
    path("screenings/guest/<str:token>/screening.ics", views.guest_ics, name="guest-ics"),
]
