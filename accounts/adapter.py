import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from accounts import login_limits

logger = logging.getLogger(__name__)

# Set in the session when a sign-in code could not be sent; the code page then says so.
MAIL_FAILED = "login_code_mail_failed"
# Set on the request whose wrong code was the last one allowed (note_used_up_code).
USED_UP_CODE_EMAIL = "used_up_login_code_email"


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

    def add_message(
        self,
        request,
        level,
        message_template=None,
        message_context=None,
        extra_tags="",
        message=None,
    ):
        # After the last wrong code allauth says only "try again later": say what happened
        # and when a new code can be asked for (accounts.login_limits).
        if message is not None and str(message) == str(
            self.error_messages["too_many_login_attempts"]
        ):
            email = getattr(request, USED_UP_CODE_EMAIL, None)
            message = login_limits.code_used_up_message(request, email)
        super().add_message(
            request, level, message_template, message_context, extra_tags, message=message
        )


def note_used_up_code(sender, request=None, user=None, last_attempt=False, **kwargs):
    """allauth's login_code_rejected signal: on the last wrong code, remember for whom, so the
    message that follows can tell when that address may ask for a new code."""
    if last_attempt and request is not None and user is not None:
        setattr(request, USED_UP_CODE_EMAIL, user.email)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        # The company's identity provider vouches for the person: let them in (or into the
        # account that already has their e-mail) without a separate sign-up step.
        return True
