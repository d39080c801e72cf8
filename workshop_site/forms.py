from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Forms render through our templates: each field in one wrapper, labels without a colon."""

    field_template_name = "forms/field.html"
