from django import forms
from django.utils.translation import gettext_lazy as _

from ai.models import BudgetSettings, Rating
from workshop_site.forms import CountsCharacters, RefusesControlCharacters


class OverrideForm(CountsCharacters, RefusesControlCharacters, forms.Form):
    rating = forms.ChoiceField(label=_("자동화 가능성"), choices=Rating.choices)
    note = forms.CharField(
        label=_("이유"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("왜 평가를 바꾸는지 적어 두면 팀원과 강사가 이해하기 쉽습니다."),
    )


# --- Budget rules (admin) --------------------------------------------------------------------

THRESHOLD_SLOTS = 2
_THRESHOLD_ERROR = _("알림 기준은 1에서 99 사이의 정수로 적어 주세요.")


class AlertThresholdsWidget(forms.MultiWidget):
    """Two number boxes for the stored list of percentages, e.g. [60, 80]."""

    template_name = "ai/widgets/alert_thresholds.html"

    def __init__(self, attrs=None):
        boxes = [
            forms.NumberInput(
                attrs={
                    "min": 1,
                    "max": 99,
                    "step": 1,
                    "class": "vIntegerField",
                    "aria-label": label,
                    "placeholder": placeholder,
                }
            )
            for label, placeholder in (
                (_("첫 번째 알림 기준(%)"), _("예: 60")),
                (_("두 번째 알림 기준(%)"), _("예: 80")),
            )
        ]
        super().__init__(boxes, attrs)

    def decompress(self, value):
        if not isinstance(value, list | tuple):
            return [None] * THRESHOLD_SLOTS
        if all(isinstance(v, int) for v in value):  # as stored: lowest first
            value = sorted(value)
        value = list(value)[:THRESHOLD_SLOTS]
        return value + [None] * (THRESHOLD_SLOTS - len(value))

    def get_context(self, name, value, attrs):
        # The stored list is decompressed too (MultiWidget passes a list through as it is).
        return super().get_context(name, self.decompress(value), attrs)


class AlertThresholdsField(forms.MultiValueField):
    """Up to two percentages of the monthly budget, stored as a sorted list ([] for none)."""

    widget = AlertThresholdsWidget

    def __init__(self, **kwargs):
        messages = {"invalid": _THRESHOLD_ERROR, "min_value": _THRESHOLD_ERROR}
        messages["max_value"] = _THRESHOLD_ERROR
        boxes = [
            forms.IntegerField(min_value=1, max_value=99, required=False, error_messages=messages)
            for _slot in range(THRESHOLD_SLOTS)
        ]
        super().__init__(boxes, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list):
        values = [v for v in data_list or [] if v is not None]
        if len(set(values)) != len(values):
            raise forms.ValidationError(
                _("두 알림 기준이 같습니다. 다른 값을 적거나 하나를 비워 두세요."), code="same"
            )
        return sorted(values)

    def has_changed(self, initial, data):
        try:
            return self.clean(data) != sorted(initial or [])
        except forms.ValidationError:
            return True


class BudgetSettingsForm(forms.ModelForm):
    alert_thresholds = AlertThresholdsField(
        label=_("알림 기준(%)"),
        help_text=_(
            "월 예산의 이 비율을 넘으면 Slack과 메일로 한 번씩 알립니다. 두 개까지 정할 수 "
            "있고, 비워 두면 그 알림은 없습니다. 예산을 다 쓰면(100%) 언제나 알립니다."
        ),
    )

    class Meta:
        model = BudgetSettings
        fields = (
            "monthly_budget_krw",
            "krw_per_usd",
            "alert_thresholds",
            "per_user_monthly_cap_krw",
            "per_workshop_monthly_cap_krw",
            "on_cap",
            "reservation_minutes",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.thresholds() if self.instance.pk else []
        if len(stored) > THRESHOLD_SLOTS:  # written when this was a JSON field
            field = self.fields["alert_thresholds"]
            field.help_text = _(
                "%(help)s 지금 저장된 기준은 %(stored)s입니다. 이 화면에서는 두 개까지 정할 "
                "수 있어, 저장하면 위 두 칸의 기준만 남습니다."
            ) % {"help": field.help_text, "stored": ", ".join(f"{v}%" for v in stored)}
