from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save

from workshops import events


def close_sockets_on_logout(sender, request=None, user=None, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        events.announce(events.SessionEnded(session_key=session_key))


def recheck_sockets_when_access_changes(sender, instance, created=False, **kwargs):
    """A participation deleted (also by a team's or workshop's deletion) or changed: after
    the commit, that person's open sockets in the workshop check whether they may stay."""
    if created:
        return
    events.announce(
        events.AccessChanged(user_id=instance.user_id, workshop_id=instance.workshop_id)
    )


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "워크샵"

    def ready(self):
        from workshops import revisions
        from workshops.models import Participant  # the models exist once the registry is ready

        revisions.connect()

        user_logged_out.connect(close_sockets_on_logout, dispatch_uid="close_sockets_on_logout")
        for signal in (post_save, post_delete):
            signal.connect(
                recheck_sockets_when_access_changes,
                sender=Participant,
                dispatch_uid=f"recheck_sockets_{signal is post_save}",
            )
