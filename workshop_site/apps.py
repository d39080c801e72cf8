from django.apps import AppConfig


class WorkshopSiteConfig(AppConfig):
    """The project package as an app, for what belongs to no feature: its system checks."""

    name = "workshop_site"
    verbose_name = "사이트"

    def ready(self):
        from workshop_site import checks  # noqa: F401 - registers the checks
