from django.urls import path, register_converter

from workshops import result_views, views


class FileFormat:
    regex = "xlsx|csv"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FileFormat, "fmt")

app_name = "workshops"

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join_workshop, name="join_workshop"),
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("workshops/new/", views.workshop_create, name="workshop_create"),
    path("workshops/<int:pk>/", views.workshop_detail, name="workshop_detail"),
    path("workshops/<int:pk>/edit/", views.workshop_edit, name="workshop_edit"),
    path("workshops/<int:pk>/status/", views.workshop_status, name="workshop_status"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:pk>/tasks/", views.task_create, name="task_create"),
    path("teams/<int:pk>/invitations/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("teams/<int:pk>/report/", result_views.team_report, name="team_report"),
    path("teams/<int:pk>/export.<fmt:fmt>", result_views.team_export, name="team_export"),
    path("teams/<int:pk>/import/", result_views.import_upload, name="task_import"),
    path("teams/<int:pk>/import/confirm/", result_views.import_confirm, name="task_import_confirm"),
    path(
        "teams/<int:pk>/import/template.<fmt:fmt>",
        result_views.import_template,
        name="task_import_template",
    ),
    path("workshops/<int:pk>/summary/", result_views.workshop_summary, name="workshop_summary"),
    path(
        "workshops/<int:pk>/export.<fmt:fmt>",
        result_views.workshop_export,
        name="workshop_export",
    ),
    path("help/", result_views.help_page, name="help"),
]
