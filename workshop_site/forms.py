import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


class FormRenderer(TemplatesSetting):
    """Forms render through our templates: each field in one wrapper, labels without a colon."""

    field_template_name = "forms/field.html"


# C0 control characters and DEL, except tab, newline and carriage return (a textarea sends
# CRLF): invisible in a page, refused by XLSX, and never typed by a person on purpose.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RefusesControlCharacters:
    """Form mixin: a text field holding control characters is an error in Korean. The form
    comes back with what was typed, so nothing is lost."""

    def _clean_fields(self):
        super()._clean_fields()
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                self.add_error(
                    name,
                    _("보이지 않는 제어 문자가 있습니다. 그 부분을 지우고 다시 입력해 주세요."),
                )


def too_long_message(*, limit: int, length: int) -> str:
    """What a text over its limit is told, in Korean, with the numbers the counter shows."""
    return _("%(limit)s자까지 적을 수 있습니다(지금 %(length)s자). %(over)s자를 줄여 주세요.") % {
        "limit": f"{limit:,}",
        "length": f"{length:,}",
        "over": f"{length - limit:,}",
    }


def text_length(value: str) -> int:
    """Characters as the counter counts them: a line break is one, although a browser sends a
    textarea's line breaks as CRLF."""
    return len(value.replace("\r\n", "\n"))


class TextLimit:
    """A length limit whose error says by how much (and never cuts the text)."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value: str) -> None:
        length = text_length(value)
        if length > self.limit:
            raise ValidationError(
                too_long_message(limit=self.limit, length=length), code="too_long"
            )

    def __eq__(self, other):
        return isinstance(other, TextLimit) and other.limit == self.limit


class CountsCharacters:
    """Form mixin for text fields with a length limit. No maxlength attribute: a browser cuts
    pasted text at the limit without a word, so a 3,000-character description lost its end.
    Instead the field carries data-max-chars for a live counter (static/js/app.js, "1,234 /
    2,000"), and text over the limit is an error that says by how much; the form comes back
    with the text as typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            limit = getattr(field, "max_length", None)
            if not isinstance(field, forms.CharField) or not limit:
                continue
            field.widget.attrs.pop("maxlength", None)
            field.widget.attrs["data-max-chars"] = str(limit)
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ] + [TextLimit(limit)]
