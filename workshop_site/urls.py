from django.contrib import admin
from django.urls import include, path

from accounts.urls import urlpatterns as account_patterns
from accounts.views import privacy_policy
from board.urls import analysis_pages, workshop_pages
from workshop_site import health
from workshops.urls import urlpatterns as workshop_patterns

admin.site.site_header = "업무 자동화 워크샵 운영"
admin.site.site_title = "워크샵 운영"
admin.site.index_title = "운영 관리"

urlpatterns = [
    path("health/", health.live, name="health_live"),
    path("health/deploy/", health.deploy, name="health_deploy"),
    path("health/ready/", health.ready, name="health_ready"),
    path("admin/", admin.site.urls),
    path("privacy/", privacy_policy, name="privacy"),
    path("accounts/", include(account_patterns)),
    path("accounts/", include("allauth.urls")),
    # Each app's own pages and the presentation app's pages of it, under one namespace.
    path("", include((workshop_patterns + workshop_pages, "workshops"))),
    path("", include((analysis_pages, "ai"))),
]

handler500 = "workshop_site.observability.server_error"
