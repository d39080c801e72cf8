import re
import uuid

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from workshop_site.forms import CountsCharacters, RefusesControlCharacters
from workshops.models import (
    FOLLOW_UP_DAYS_MAX,
    MINUTES_MAX,
    MINUTES_PER_PERIOD,
    NAME_MAX_LENGTH,
    NOTICE_MAX_LENGTH,
    OCCURRENCES_MAX,
    PERIOD_NAMES,
    STALL_MINUTES_MAX,
    TARGET_TASKS_MAX,
    TIMER_MAX_MINUTES,
    Domain,
    Frequency,
    Task,
    Workshop,
    normalise_join_code,
)
from workshops.savings import HOURLY_COST_MAX, HOURLY_COST_MIN
from workshops.services import RuleError

MAX_DOMAINS = 20
SUBMIT_KEY = re.compile(r"[0-9a-f]{32}")


class WholeNumberField(forms.IntegerField):
    """A whole number as people type it: "40,000", "40000원" and "４００００" all read 40000."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s,원일]", "", value)
        return super().to_python(value)


class WorkshopForm(CountsCharacters, RefusesControlCharacters, forms.ModelForm):
    hourly_cost = WholeNumberField(
        label=_("시간당 인건비(원)"),
        required=False,
        min_value=HOURLY_COST_MIN,
        max_value=HOURLY_COST_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": _("시간당 인건비는 40,000처럼 숫자로 적어 주세요."),
            "min_value": _("시간당 인건비는 1,000원에서 1,000,000원 사이로 적어 주세요."),
            "max_value": _("시간당 인건비는 1,000원에서 1,000,000원 사이로 적어 주세요."),
        },
    )
    follow_up_days = WholeNumberField(
        label=_("사후 점검 메일 (종료 후 며칠)"),
        required=False,
        min_value=0,
        max_value=FOLLOW_UP_DAYS_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": _("날수는 30처럼 숫자로 적어 주세요."),
            "min_value": _("날수는 0에서 90 사이로 적어 주세요. 0이면 보내지 않습니다."),
            "max_value": _("날수는 0에서 90 사이로 적어 주세요. 0이면 보내지 않습니다."),
        },
    )
    domains = forms.CharField(
        label=_("업무 영역"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("한 줄에 하나씩 적으세요. 예: 영업, 인사, 재무, 총무"),
        max_length=MAX_DOMAINS * (NAME_MAX_LENGTH + 2),
    )

    class Meta:
        model = Workshop
        fields = ["title", "date", "description", "join_mode", "hourly_cost", "follow_up_days"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "join_mode": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An older client (or a test) that does not send the choice keeps what is there.
        self.fields["join_mode"].required = False
        # The model's help texts say where the default comes from and what the days do.
        for name in ("hourly_cost", "follow_up_days"):
            self.fields[name].help_text = Workshop._meta.get_field(name).help_text

    def clean_join_mode(self) -> str:
        chosen = self.cleaned_data.get("join_mode")
        return chosen or (self.instance.join_mode if self.instance.pk else Workshop.JoinMode.QUICK)

    # Left empty (or not sent by an older client): what the workshop has, else the default.
    def clean_hourly_cost(self) -> int:
        chosen = self.cleaned_data.get("hourly_cost")
        return self.instance.hourly_cost if chosen is None else chosen

    def clean_follow_up_days(self) -> int:
        chosen = self.cleaned_data.get("follow_up_days")
        return self.instance.follow_up_days if chosen is None else chosen

    def clean_domains(self) -> list[str]:
        names: list[str] = []
        seen: set[str] = set()
        for line in self.cleaned_data["domains"].splitlines():
            name = line.strip()
            if not name:
                continue
            if len(name) > NAME_MAX_LENGTH:
                raise forms.ValidationError(
                    _("영역 이름은 %(limit)d자 이하로 적어 주세요: %(name)s"),
                    params={"limit": NAME_MAX_LENGTH, "name": name[:20] + "…"},
                )
            if name.casefold() in seen:
                raise forms.ValidationError(
                    _("같은 영역이 두 번 있습니다: %(name)s"), params={"name": name}
                )
            seen.add(name.casefold())
            names.append(name)
        if not names:
            raise forms.ValidationError(_("업무 영역을 하나 이상 적어 주세요."))
        if len(names) > MAX_DOMAINS:
            raise forms.ValidationError(
                _("업무 영역은 %(limit)d개까지 만들 수 있습니다."), params={"limit": MAX_DOMAINS}
            )
        return names


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("참여 코드"),
        max_length=300,  # room for a pasted join link; the code is taken out of it
        help_text=_("영문과 숫자 6자리입니다. 한글 자판 그대로 입력해도 알아듣습니다."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "inputmode": "text",
                "lang": "en",
                "enterkeyhint": "go",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalise_join_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("참여 코드를 입력하세요."))
        return code


class DisplayNameMixin(CountsCharacters, RefusesControlCharacters, forms.Form):
    display_name = forms.CharField(
        label=_("내 이름"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("다른 참가자와 강사에게 보이는 이름입니다."),
    )


class PrivacyConsentMixin(forms.Form):
    """With `ask_consent`, a required box for the personal-data notice (accounts.privacy):
    joining is the one place it is asked, once per version of the notice."""

    def __init__(self, *args, ask_consent: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.asks_consent = ask_consent
        if ask_consent:
            self.fields["privacy_consent"] = forms.BooleanField(
                label=_("개인정보 수집·이용 및 국외 이전에 동의합니다 (필수)"),
                error_messages={
                    "required": _(
                        "개인정보 수집·이용 및 국외 이전에 동의해야 참여할 수 있습니다. "
                        "안내를 읽고 동의란에 표시해 주세요."
                    )
                },
            )

    @property
    def consent_given(self) -> bool:
        return self.asks_consent and bool(self.cleaned_data.get("privacy_consent"))


class JoinForm(PrivacyConsentMixin, DisplayNameMixin):
    team_name = forms.CharField(
        label=_("팀 이름"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("새 팀을 만들고 팀장이 됩니다. 팀원은 팀장이 보내는 초대 링크로 들어옵니다."),
    )


class QuickJoinForm(PrivacyConsentMixin, DisplayNameMixin):
    """Quick join's one screen: name, team (an existing team's name joins it as a member, a new
    name makes a team you lead) and, if you like, a work e-mail confirmed later."""

    team_name = forms.CharField(
        label=_("팀 이름"),
        max_length=NAME_MAX_LENGTH,
        help_text=_(
            "목록에 있는 팀을 고르면 그 팀의 팀원으로, 새 이름을 적으면 새 팀의 팀장으로 "
            "들어갑니다."
        ),
        widget=forms.TextInput(attrs={"list": "team-names", "autocomplete": "off"}),
    )
    work_email = forms.EmailField(
        label=_("회사 이메일 (선택)"),
        required=False,
        help_text=_(
            "지금은 확인하지 않습니다. 나중에 이 주소로 보내는 링크를 열면 다른 기기에서도 "
            "이메일로 로그인할 수 있습니다."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={"invalid": _("이메일 주소 형식이 아닙니다. 비워 두어도 됩니다.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Name first, team second, the optional e-mail and the consent box last.
        order = ["display_name", "team_name", "work_email", "privacy_consent"]
        self.order_fields(order)


class AcceptInvitationForm(PrivacyConsentMixin, DisplayNameMixin):
    pass


class TeamForm(CountsCharacters, RefusesControlCharacters, forms.Form):
    name = forms.CharField(label=_("팀 이름"), max_length=NAME_MAX_LENGTH)


class TaskForm(CountsCharacters, RefusesControlCharacters, forms.ModelForm):
    occurrences_per_period = forms.IntegerField(
        label=_("횟수"),
        min_value=1,
        max_value=OCCURRENCES_MAX,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    minutes_per_occurrence = forms.IntegerField(
        label=_("1회 소요(분)"),
        min_value=1,
        max_value=MINUTES_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Task
        fields = [
            "title",
            "domain",
            "description",
            "frequency",
            "occurrences_per_period",
            "minutes_per_occurrence",
        ]
        widgets = {
            "description": forms.Textarea(
                attrs={
                    "rows": 3,
                    "placeholder": _(
                        "무엇을, 어떤 도구로, 어떤 순서로 하는지 적을수록 AI가 정확히 판단합니다."
                    ),
                }
            ),
        }

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = Domain.objects.filter(workshop=workshop)
        self.fields["domain"].empty_label = None
        self.fields["domain"].error_messages["invalid_choice"] = _(
            "이 워크샵의 업무 영역을 골라 주세요."
        )
        self.fields["frequency"].error_messages["invalid_choice"] = _(
            "빈도를 목록에서 골라 주세요."
        )

    @cached_property
    def submit_key(self) -> str:
        """One key per form shown: two posts of the same form (a double tap, a retry) carry the
        same key, so the second adds nothing (see views.task_create). A form shown again
        after an error keeps the key it was posted with."""
        posted = self.data.get("submit_key", "") if self.is_bound else ""
        return posted if SUBMIT_KEY.fullmatch(posted) else uuid.uuid4().hex

    def _get_validation_exclusions(self):
        # The domain field found its row among the workshop's domains already; the model's
        # own foreign-key check would look the same row up a second time.
        return super()._get_validation_exclusions() | {"domain"}

    def clean(self):
        cleaned = super().clean()
        frequency = cleaned.get("frequency")
        minutes = cleaned.get("minutes_per_occurrence")
        occurrences = cleaned.get("occurrences_per_period")
        if not (frequency and minutes and occurrences):
            return cleaned
        if minutes * occurrences > MINUTES_PER_PERIOD[Frequency(frequency)]:
            raise forms.ValidationError(
                _("횟수 × 1회 소요 시간이 %(period)s 전체보다 깁니다. 숫자를 확인해 주세요."),
                params={"period": PERIOD_NAMES[Frequency(frequency)]},
            )
        return cleaned


class TaskEditForm(TaskForm):
    """TaskForm plus the version the editor started from, so a stale edit is caught."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if version is None:
            raise forms.ValidationError(_("페이지를 새로 고친 뒤 다시 저장해 주세요."))
        return version

    def _post_clean(self):
        super()._post_clean()
        # A hidden field's error has nowhere to show but the top of the form.
        if "version" in self._errors:
            self._errors.setdefault("__all__", self.error_class(error_class="nonfield"))
            self._errors["__all__"].extend(self._errors.pop("version"))


def add_rule_error(form: forms.Form, error: RuleError) -> None:
    """Show a service's refusal on the form: on its field when it names one, else on top."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- Facilitation (the instructor's 진행 panel on the board; workshops.facilitation) ----------


class TimerMinutesField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("타이머(분)"))
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", TIMER_MAX_MINUTES)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("타이머는 분 단위 숫자로 적어 주세요."),
                "min_value": _("타이머는 1분 이상으로 정해 주세요."),
                "max_value": _("타이머는 %(limit_value)s분까지 정할 수 있습니다."),
            },
        )
        super().__init__(**kwargs)


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("진행 단계"),
        choices=Workshop.Phase.choices,
        error_messages={"invalid_choice": _("알 수 없는 진행 단계입니다.")},
    )
    minutes = TimerMinutesField(required=False)


class TimerForm(forms.Form):
    minutes = TimerMinutesField()


class NoticeForm(CountsCharacters, RefusesControlCharacters, forms.Form):
    notice = forms.CharField(label=_("공지"), max_length=NOTICE_MAX_LENGTH, required=False)


class TargetsForm(forms.Form):
    target_tasks = forms.IntegerField(
        label=_("팀별 목표 업무 수"),
        min_value=1,
        max_value=TARGET_TASKS_MAX,
        error_messages={
            "invalid": _("목표 업무 수는 숫자로 적어 주세요."),
            "min_value": _("목표 업무 수는 1 이상으로 정해 주세요."),
            "max_value": _("목표 업무 수는 %(limit_value)s까지 정할 수 있습니다."),
        },
    )
    stall_minutes = forms.IntegerField(
        label=_("멈춘 팀 기준(분)"),
        min_value=1,
        max_value=STALL_MINUTES_MAX,
        error_messages={
            "invalid": _("멈춘 팀 기준은 분 단위 숫자로 적어 주세요."),
            "min_value": _("멈춘 팀 기준은 1분 이상으로 정해 주세요."),
            "max_value": _("멈춘 팀 기준은 %(limit_value)s분까지 정할 수 있습니다."),
        },
    )


class SpotlightForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("프로젝터에 보일 팀"),
        queryset=None,
        required=False,
        empty_label=_("끄기 (전체 결과)"),
        error_messages={"invalid_choice": _("이 워크샵의 팀을 고르세요.")},
    )

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = workshop.teams.order_by("name", "id")  # type: ignore[attr-defined]
