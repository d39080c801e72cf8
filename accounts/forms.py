from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.core import context
from django import forms
from django.utils.translation import gettext as _

from accounts import login_limits
from accounts.models import User
from accounts.services import user_get_or_create_by_email
from workshop_site.forms import CountsCharacters, RefusesControlCharacters


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """allauth's "send me a code" form, which also registers a first-time address.

    A team lead arrives with a join code and an e-mail address; asking them to sign up
    first would be one more step on a phone. The code still proves they own the address.
    """

    def clean_email(self):
        email = self.cleaned_data.get("email")
        limit = User._meta.get_field("email").max_length
        if email and len(email) > limit:
            # Django's EmailField admits 320 characters; an account holds 254 (RFC 5321's path).
            raise forms.ValidationError(
                _("이메일 주소가 너무 깁니다(최대 %(limit)d자).") % {"limit": limit}
            )
        if email:
            user_get_or_create_by_email(email=email)
        try:
            return super().clean_email()
        except forms.ValidationError as error:
            if email and error.code == "too_many_login_attempts":
                # allauth says "try again later"; say when.
                raise forms.ValidationError(
                    login_limits.too_many_code_requests_message(context.request, email),
                    code=error.code,
                ) from None
            raise


class ProfileForm(CountsCharacters, RefusesControlCharacters, forms.ModelForm):
    class Meta:
        model = User
        fields = ["name"]
        labels = {"name": "표시 이름"}
        help_texts = {"name": "워크샵에서 다른 참가자에게 보이는 이름입니다."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True


class ConfirmEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("회사 이메일"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("이메일을 입력하세요."),
            "invalid": _("이메일 주소 형식이 아닙니다."),
        },
    )
