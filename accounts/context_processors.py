from django.conf import settings


def sso(request) -> dict:
    """Whether company single sign-on is configured, so the sign-in page asks allauth for its
    providers (a database query) only when there can be one."""
    return {"sso_enabled": bool(settings.OIDC_ISSUER)}
