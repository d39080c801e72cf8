"""Third-party apps under the names operators read on the admin index.

settings.INSTALLED_APPS lists these classes instead of the packages. Same name and label: only
what is shown changes. Every section name must differ from every other one: allauth's "계정"
stood beside our own accounts app's.
"""

from allauth.account.apps import AccountConfig
from allauth.socialaccount.apps import SocialAccountConfig
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "백그라운드 작업"

    def ready(self):
        super().ready()
        from django_tasks_db.models import DBTaskResult

        # What the admin shows, not the model's state: migrations read Meta's original
        # attributes, which keep the package's own names, so no migration follows from this.
        DBTaskResult._meta.verbose_name = "작업 결과"
        DBTaskResult._meta.verbose_name_plural = "작업 결과"


class LoginEmailConfig(AccountConfig):
    verbose_name = "로그인 이메일"


class SingleSignOnConfig(SocialAccountConfig):
    verbose_name = "SSO 로그인"
