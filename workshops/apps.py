from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out


def close_sockets_on_logout(sender, request=None, user=None, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        from workshops import events

        events.session_ended(session_key=session_key)


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "워크샵"

    def ready(self):
        user_logged_out.connect(close_sockets_on_logout, dispatch_uid="close_sockets_on_logout")
