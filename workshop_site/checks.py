"""System checks of the project itself."""

from importlib.metadata import version

from django.core.checks import Error, register

# workshop_site/http_threads.py subclasses Django's ASGIHandler and hands asgiref's
# ThreadSensitiveContext an executor of its own: both are internals. It was verified (its tests,
# bench/http_load.py) against these releases, by major.minor.
HTTP_THREADS_VERIFIED = {"django": "5.2", "asgiref": "3.13"}


def _major_minor(package: str) -> str:
    return ".".join(version(package).split(".")[:2])


@register()
def http_threads_verified(app_configs, **kwargs):
    """A Django or asgiref upgrade stops the start until http_threads.py is verified again."""
    errors = []
    for package, verified in HTTP_THREADS_VERIFIED.items():
        installed = _major_minor(package)
        if installed != verified:
            errors.append(
                Error(
                    f"workshop_site/http_threads.py was verified with {package} {verified}, "
                    f"but {package} {installed} is installed.",
                    hint=(
                        "Run workshop_site/tests/test_http_threads.py and bench/http_load.py; "
                        "if they pass, update HTTP_THREADS_VERIFIED in workshop_site/checks.py. "
                        "If they fail, see README 'Scaling' for the way back to Django's own "
                        "handler."
                    ),
                    id="workshop_site.E001",
                )
            )
    return errors
