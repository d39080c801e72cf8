import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import privacy, services
from accounts.forms import ConfirmEmailForm, ProfileForm
from accounts.models import User
from accounts.services import user_set_name
from workshop_site.ratelimits import write_limited

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


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


# --- Another device: a re-entry link, or an e-mail confirmed -----------------------------------


def _safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and (
        target.startswith("/") and not target.startswith("//")
    ):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def other_device(request):
    """다른 기기에서도 쓰기: a single-use QR/link that opens this seat on another device, and
    (for a quick-join account) confirming a work e-mail so sign-in by e-mail works anywhere."""
    next_path = _safe_next(request)
    link = qr_svg = ""
    form = ConfirmEmailForm(
        request.POST if request.POST.get("action") == "email" else None,
        initial={"email": request.user.pending_email},
    )
    if request.method == "POST" and request.POST.get("action") == "link":
        token = services.reentry_token(user=request.user, next_path=next_path)
        link = request.build_absolute_uri(reverse("reentry", args=[token]))
        qr_svg = segno.make(link, error="m").svg_inline(scale=4, dark="#111827", light="#ffffff")
    elif request.method == "POST" and form.is_valid():
        email = User.objects.normalize_email(form.cleaned_data["email"].strip()).lower()
        token = services.email_confirmation_token(user=request.user, email=email)
        confirm = request.build_absolute_uri(reverse("email_confirm", args=[token]))
        send_mail(
            _("[워크샵] 이메일 확인"),
            render_to_string(
                "accounts/email/confirm_email.txt", {"user": request.user, "link": confirm}
            ),
            None,
            [email],
        )
        if request.user.pending_email != email:
            request.user.pending_email = email
            request.user.save(update_fields=["pending_email"])
        messages.success(request, _("확인 링크를 보냈습니다. 메일의 링크를 열면 끝납니다."))
        return redirect(f"{reverse('other_device')}?next={next_path}")
    context = {
        "form": form,
        "link": link,
        "qr_svg": qr_svg,
        "next": next_path,
        "minutes": services.REENTRY_MAX_AGE // 60,
    }
    return render(request, "accounts/other_device.html", context)


@require_http_methods(["GET", "POST"])
@write_limited
def reentry(request, token):
    """A re-entry link: GET asks (a chat app's link preview must not spend it), POST signs in."""
    try:
        if request.method == "GET":
            user, _next = services.reentry_peek(token=token)
            return render(request, "accounts/reentry.html", {"person": user})
        user, next_path = services.reentry_use(token=token)
    except services.LinkRefused as refused:
        return render(
            request, "accounts/link_refused.html", {"message": refused.message}, status=403
        )
    login(request, user, backend=MODEL_BACKEND)
    if user.is_guest:
        request.session.set_expiry(settings.SESSION_MAX_SECONDS)
    messages.success(request, _("이 기기에서도 %(name)s 님으로 들어왔습니다.") % {"name": user})
    return redirect(
        next_path if next_path.startswith("/") and not next_path.startswith("//") else "/"
    )


@require_http_methods(["GET", "POST"])
@write_limited
def email_confirm(request, token):
    """The link mailed to a work e-mail: GET asks, POST makes it the account's sign-in e-mail
    and signs in on this device."""
    if request.method == "GET":
        return render(request, "accounts/email_confirm.html", {})
    try:
        user = services.email_confirm(token=token)
    except services.LinkRefused as refused:
        return render(
            request, "accounts/link_refused.html", {"message": refused.message}, status=403
        )
    login(request, user, backend=MODEL_BACKEND)
    messages.success(
        request, _("이메일을 확인했습니다. 이제 어느 기기에서든 이 이메일로 로그인할 수 있습니다.")
    )
    return redirect("/")
