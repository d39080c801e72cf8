import pytest
from django.core.exceptions import ImproperlyConfigured

from workshop_site.env import env_bool, env_int, env_list, env_url, read_secret_key


def test_env_bool_reads_common_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("FLAG")


def test_env_int_rejects_non_numbers(monkeypatch):
    monkeypatch.setenv("COUNT", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("COUNT", 1)


def test_env_int_enforces_the_minimum(monkeypatch):
    monkeypatch.setenv("COUNT", "0")
    with pytest.raises(ImproperlyConfigured):
        env_int("COUNT", 1, minimum=1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_env_url_rejects_an_unknown_scheme(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://db/x")
    with pytest.raises(ImproperlyConfigured):
        env_url("DATABASE_URL", schemes=("postgres",))


def test_a_missing_secret_key_is_an_error_outside_debug(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured):
        read_secret_key(debug=False, base_dir=tmp_path)


def test_debug_generates_a_key_once_into_var(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    first = read_secret_key(debug=True, base_dir=tmp_path)
    assert len(first) >= 50
    assert read_secret_key(debug=False, base_dir=tmp_path) == first
