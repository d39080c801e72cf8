from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by the sign-in form itself (see accounts.forms), so the
        # separate sign-up page stays closed: one way in, by e-mail code.
        return False
