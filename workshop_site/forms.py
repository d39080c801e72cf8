import re

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
