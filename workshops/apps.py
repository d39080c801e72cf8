from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out


def close_sockets_on_logout(sender, user=None, **kwargs):
    if user is not None:
        from workshops import events

        events.session_ended(user_id=user.pk)


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "워크샵"

    def ready(self):
        user_logged_out.connect(close_sockets_on_logout, dispatch_uid="close_sockets_on_logout")
