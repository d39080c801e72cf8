"""The presentation app's pages. They keep the URL names they had before they moved here
(`workshops:…`, `ai:…`): the composition root (`workshop_site.urls`) puts each list in its
namespace beside that app's own pages."""

from django.urls import path

import workshop_site.converters  # noqa: F401  (registers id, fmt)
from board import (
    analysis_views,
    common_work_views,
    facilitation_views,
    priority_views,
    result_views,
    views,
)

workshop_pages = [
    path("workshops/<id:pk>/", views.workshop_detail, name="workshop_detail"),
    path("teams/<id:pk>/", views.team_detail, name="team_detail"),
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
    path(
        "workshops/<id:pk>/exports/<id:export_pk>/",
        result_views.workshop_export_status,
        name="workshop_export_status",
    ),
    path(
        "workshops/<id:pk>/exports/<id:export_pk>/download/",
        result_views.workshop_export_download,
        name="workshop_export_download",
    ),
    path(
        "workshops/<id:pk>/plans.csv",
        result_views.workshop_sheet,
        {"sheet": "plans"},
        name="workshop_plans",
    ),
    path(
        "workshops/<id:pk>/automation-hub.csv",
        result_views.workshop_sheet,
        {"sheet": "automation-hub"},
        name="workshop_uipath",
    ),
    path("help/", result_views.help_page, name="help"),
    path("teams/<id:pk>/priorities/", priority_views.team_priorities, name="team_priorities"),
    path("workshops/<id:pk>/facilitate/", facilitation_views.facilitate, name="facilitate"),
    path("teams/<id:pk>/help/", facilitation_views.help_request, name="help_request"),
    path("tasks/<id:pk>/vote/", priority_views.vote, name="vote"),
    path("tasks/<id:pk>/pick/", priority_views.pick, name="pick"),
    path("picks/<id:pk>/remove/", priority_views.unpick, name="unpick"),
    path("picks/<id:pk>/plan/", priority_views.plan, name="plan"),
    path(
        "workshops/<id:pk>/common-work/merge/",
        common_work_views.merge,
        name="common_work_merge",
    ),
    path("tasks/<id:pk>/common-work/split/", common_work_views.split, name="common_work_split"),
    path(
        "workshops/<id:pk>/common-work/reset/",
        common_work_views.reset,
        name="common_work_reset",
    ),
    path(
        "workshops/<id:pk>/common-work.csv",
        result_views.workshop_sheet,
        {"sheet": "common-work"},
        name="common_work_csv",
    ),
]

analysis_pages = [
    path("teams/<id:pk>/analysis/", analysis_views.analysis_request, name="request"),
    path("teams/<id:pk>/analysis/progress/", analysis_views.analysis_progress, name="progress"),
    path("analysis-runs/<id:pk>/retry/", analysis_views.analysis_retry, name="retry"),
    path("tasks/<id:pk>/analysis/deep/", analysis_views.analysis_deep, name="deep"),
    path("tasks/<id:pk>/analysis/answer/", analysis_views.analysis_answer, name="answer"),
    path("tasks/<id:pk>/analysis/override/", analysis_views.analysis_override, name="override"),
    path("tasks/<id:pk>/analysis/factor/", analysis_views.analysis_factor, name="factor"),
    path("tasks/<id:pk>/analysis/history/", analysis_views.analysis_history, name="history"),
    path("workshops/<id:pk>/economy/", analysis_views.economy_request, name="economy"),
]
