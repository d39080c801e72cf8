from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import privacy
from accounts.forms import ProfileForm
from accounts.services import user_set_name
from workshop_site.ratelimits import write_limited


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_set_name(user=request.user, name=form.cleaned_data["name"])
        messages.success(request, _("이름을 저장했습니다."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


@require_GET
def privacy_policy(request):
    """개인정보 처리방침: public, generated from settings (accounts.privacy.notice)."""
    return render(request, "accounts/privacy.html", {"notice": privacy.notice()})
