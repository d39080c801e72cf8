from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by the sign-in form itself (see accounts.forms), so the
        # separate sign-up page stays closed: one way in, by e-mail code.
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        # The company's identity provider vouches for the person: let them in (or into the
        # account that already has their e-mail) without a separate sign-up step.
        return True
