import time

from django.apps import AppConfig
from django.db.models.signals import post_migrate

from workshop_site.observability import SESSION_SEEN, SESSION_STARTED


def ensure_instructor_group(sender, using="default", **kwargs):
    """The "강사" group grants the right to create workshops; operators add people to it."""
    # apps.py loads before the models exist; this runs after migrate, when they do.
    from django.contrib.auth.models import Group, Permission

    from accounts.models import (
        CREATE_WORKSHOP_PERMISSION,
        INSTRUCTOR_GROUP,
        LEGACY_INSTRUCTOR_GROUP,
    )

    app_label, codename = CREATE_WORKSHOP_PERMISSION.split(".")
    permission = (
        Permission.objects.using(using)
        .filter(content_type__app_label=app_label, codename=codename)
        .first()
    )
    if permission is None:
        return  # the workshops app has not been migrated yet; a later post_migrate will do it
    groups = Group.objects.using(using)
    legacy = groups.filter(name=LEGACY_INSTRUCTOR_GROUP).first()
    if legacy is not None and not groups.filter(name=INSTRUCTOR_GROUP).exists():
        legacy.name = INSTRUCTOR_GROUP  # its members and permissions stay
        legacy.save(update_fields=["name"])
    group, _created = groups.get_or_create(name=INSTRUCTOR_GROUP)
    if legacy is not None and legacy.pk != group.pk:  # both existed: one group, with everyone
        group.user_set.add(*legacy.user_set.all())
        group.permissions.add(*legacy.permissions.all())
        legacy.delete()
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
    verbose_name = "사용자 계정"

    def ready(self):
        from allauth.account.signals import login_code_rejected
        from django.contrib.auth.signals import user_logged_in

        from accounts.adapter import note_used_up_code

        post_migrate.connect(ensure_instructor_group, dispatch_uid="ensure_instructor_group")
        user_logged_in.connect(on_sign_in, dispatch_uid="audit_sign_in")
        login_code_rejected.connect(note_used_up_code, dispatch_uid="note_used_up_code")
