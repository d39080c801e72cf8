from django.urls import path
from django.views.generic import RedirectView

from accounts import views

urlpatterns = [
    # There is one way in for participants: an e-mail code. allauth's password login page
    # would only confuse them, so its address leads to the code form (keeping ?next=).
    path(
        "login/",
        RedirectView.as_view(pattern_name="account_request_login_code", query_string=True),
        name="login",
    ),
    path("profile/", views.profile, name="profile"),
    path("other-device/", views.other_device, name="other_device"),
    path("reenter/<str:token>/", views.reentry, name="reentry"),
    path("email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
]
