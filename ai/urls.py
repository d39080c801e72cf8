from django.urls import path

from ai import views

app_name = "ai"

urlpatterns = [
    path("teams/<int:pk>/analysis/", views.analysis_request, name="request"),
    path("teams/<int:pk>/analysis/progress/", views.analysis_progress, name="progress"),
    path("analysis-runs/<int:pk>/retry/", views.analysis_retry, name="retry"),
    path("tasks/<int:pk>/analysis/deep/", views.analysis_deep, name="deep"),
    path("tasks/<int:pk>/analysis/override/", views.analysis_override, name="override"),
    path("tasks/<int:pk>/analysis/history/", views.analysis_history, name="history"),
    path("workshops/<int:pk>/economy/", views.economy_request, name="economy"),
]
