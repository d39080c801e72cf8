import time

from django.apps import AppConfig
from django.db.models.signals import post_migrate

from workshop_site.observability import SESSION_SEEN, SESSION_STARTED


def ensure_instructor_group(sender, using="default", **kwargs):
    """The "instructor" group grants the right to create workshops; operators add people to it."""
    # apps.py loads before the models exist; this runs after migrate, when they do.
    from django.contrib.auth.models import Group, Permission

    from accounts.models import CREATE_WORKSHOP_PERMISSION, INSTRUCTOR_GROUP

    app_label, codename = CREATE_WORKSHOP_PERMISSION.split(".")
    permission = (
        Permission.objects.using(using)
        .filter(content_type__app_label=app_label, codename=codename)
        .first()
    )
    if permission is None:
        return  # the workshops app has not been migrated yet; a later post_migrate will do it
    group, _created = Group.objects.using(using).get_or_create(name=INSTRUCTOR_GROUP)
    group.permissions.add(permission)


def on_sign_in(sender, request=None, user=None, **kwargs):
    from accounts import audit  # apps.py loads before the models audit imports

    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED] = now  # the absolute session lifetime starts
        request.session[SESSION_SEEN] = now
    audit.record("sign_in", actor=user, target=user, request=request, summary=user.email)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "계정"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        post_migrate.connect(ensure_instructor_group, dispatch_uid="ensure_instructor_group")
        user_logged_in.connect(on_sign_in, dispatch_uid="audit_sign_in")
