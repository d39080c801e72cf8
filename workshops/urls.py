from django.urls import path

import workshop_site.converters  # noqa: F401  (registers id, token, fmt)
from workshops import result_views, views

app_name = "workshops"

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join_workshop, name="join_workshop"),
    path("invite/<token:token>/", views.accept_invitation, name="accept_invitation"),
    path("workshops/new/", views.workshop_create, name="workshop_create"),
    path("workshops/<id:pk>/", views.workshop_detail, name="workshop_detail"),
    path("workshops/<id:pk>/edit/", views.workshop_edit, name="workshop_edit"),
    path("workshops/<id:pk>/status/", views.workshop_status, name="workshop_status"),
    path("teams/<id:pk>/", views.team_detail, name="team_detail"),
    path("teams/<id:pk>/edit/", views.team_edit, name="team_edit"),
    path("teams/<id:pk>/tasks/", views.task_create, name="task_create"),
    path("teams/<id:pk>/invitations/", views.invitation_create, name="invitation_create"),
    path("invitations/<id:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("tasks/<id:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<id:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<id:pk>/delete/", views.task_delete, name="task_delete"),
    path("teams/<id:pk>/report/", result_views.team_report, name="team_report"),
    path("teams/<id:pk>/export.<fmt:fmt>", result_views.team_export, name="team_export"),
    path("teams/<id:pk>/import/", result_views.import_upload, name="task_import"),
    path("teams/<id:pk>/import/confirm/", result_views.import_confirm, name="task_import_confirm"),
    path(
        "teams/<id:pk>/import/template.<fmt:fmt>",
        result_views.import_template,
        name="task_import_template",
    ),
    path("workshops/<id:pk>/summary/", result_views.workshop_summary, name="workshop_summary"),
    path(
        "workshops/<id:pk>/export.<fmt:fmt>",
        result_views.workshop_export,
        name="workshop_export",
    ),
    path("help/", result_views.help_page, name="help"),
]
