"""Typed readers for settings that come from the environment.

Each helper fails loudly (ImproperlyConfigured) on a value it cannot parse, so a typo in a
deploy's environment stops the process at start-up instead of silently using a default.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, *, schemes: tuple[str, ...]) -> str:
    """An optional URL; when set it must use one of `schemes`."""
    value = env_str(name)
    if value and not value.startswith(tuple(f"{s}://" for s in schemes)):
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(f"{name} must start with one of {allowed}, got {value!r}")
    return value


def read_secret_key(*, debug: bool, base_dir: Path) -> str:
    """SECRET_KEY from the environment, or from the file SECRET_KEY_FILE names.

    Then var/secret_key, a random key generated for this checkout (by `make run`, or here when
    DEBUG is on). Otherwise a missing key is an error.
    """
    key = env_str("SECRET_KEY")
    if key:
        return key
    key_file = env_str("SECRET_KEY_FILE")
    if key_file:
        path = Path(key_file)
        if not path.is_file():
            raise ImproperlyConfigured(f"SECRET_KEY_FILE {key_file!r} does not exist")
        return path.read_text().strip()
    # A key generated for this checkout (by `make run`, or below in DEBUG) is random and
    # private to the machine, so it is fine to reuse; there is never a built-in fallback.
    path = base_dir / "var" / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    if debug:
        from django.core.management.utils import get_random_secret_key

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
        return path.read_text().strip()
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) in the environment, "
        "or run `make run` once to generate a local key into var/."
    )
