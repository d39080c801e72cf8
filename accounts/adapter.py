import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

logger = logging.getLogger(__name__)

# Set in the session when a sign-in code could not be sent; the code page then says so.
MAIL_FAILED = "login_code_mail_failed"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by the sign-in form itself (see accounts.forms), so the
        # separate sign-up page stays closed: one way in, by e-mail code.
        return False

    def send_mail(self, template_prefix, email, context):
        """Send, or tell the person to ask again: a mail provider that is down or slow
        (EMAIL_TIMEOUT) must not turn signing in into an error page."""
        session = getattr(self.request, "session", None)
        try:
            super().send_mail(template_prefix, email, context)
        except Exception:
            logger.exception("could not send %s mail", template_prefix.rsplit("/", 1)[-1])
            if session is None:
                raise
            session[MAIL_FAILED] = True  # templates/account/confirm_login_code.html says so
        else:
            if session is not None:
                session.pop(MAIL_FAILED, None)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        # The company's identity provider vouches for the person: let them in (or into the
        # account that already has their e-mail) without a separate sign-up step.
        return True
