from django.urls import path

import workshop_site.converters  # noqa: F401  (registers id)
from ai import views

app_name = "ai"

urlpatterns = [
    path("teams/<id:pk>/analysis/", views.analysis_request, name="request"),
    path("teams/<id:pk>/analysis/progress/", views.analysis_progress, name="progress"),
    path("analysis-runs/<id:pk>/retry/", views.analysis_retry, name="retry"),
    path("tasks/<id:pk>/analysis/deep/", views.analysis_deep, name="deep"),
    path("tasks/<id:pk>/analysis/override/", views.analysis_override, name="override"),
    path("tasks/<id:pk>/analysis/history/", views.analysis_history, name="history"),
    path("workshops/<id:pk>/economy/", views.economy_request, name="economy"),
]
