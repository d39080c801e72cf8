from django.urls import path

import workshop_site.converters  # noqa: F401  (registers id, token)
from workshops import views

app_name = "workshops"

# Pages that show tasks with their analyses are the presentation app's (`board.urls`); the
# composition root serves them in this namespace too.
urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join_workshop, name="join_workshop"),
    path("invite/<token:token>/", views.accept_invitation, name="accept_invitation"),
    path("workshops/new/", views.workshop_create, name="workshop_create"),
    path("workshops/<id:pk>/edit/", views.workshop_edit, name="workshop_edit"),
    path("workshops/<id:pk>/status/", views.workshop_status, name="workshop_status"),
    path("workshops/<id:pk>/join-slide/", views.join_slide, name="join_slide"),
    path("workshops/<id:pk>/participants/", views.participants, name="participants"),
    path(
        "workshops/<id:pk>/participants/<id:participant_pk>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
    path("teams/<id:pk>/edit/", views.team_edit, name="team_edit"),
    path("follow-up/<token:token>/", views.follow_up_page, name="follow_up"),
]
