from django import forms
from django.utils.translation import gettext_lazy as _

from ai.models import Rating
from workshop_site.forms import RefusesControlCharacters


class OverrideForm(RefusesControlCharacters, forms.Form):
    rating = forms.ChoiceField(label=_("자동화 가능성"), choices=Rating.choices)
    note = forms.CharField(
        label=_("이유"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("왜 평가를 바꾸는지 적어 두면 팀원과 강사가 이해하기 쉽습니다."),
    )
