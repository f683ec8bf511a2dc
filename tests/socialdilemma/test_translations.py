import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po"))


def test_both_languages_have_a_catalogue():
    assert {po.parts[-3] for po in CATALOGUES} == {"de", "en"}


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parts[-3])
def test_catalogue_is_complete_without_fuzzy_messages(po):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr
    assert "#, fuzzy" not in po.read_text().split("\n\n", 1)[1]


def test_english_catalogue_repeats_the_english_source_texts():
    """English is the source language: a differing English msgstr is a stale fuzzy guess."""
    import re

    text = (ROOT / "locale/en/LC_MESSAGES/django.po").read_text()
    for msgid, msgstr in re.findall(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', text, flags=re.M):
        if msgid != '""\n':  # the header
            assert msgid == msgstr


def test_catalogues_contain_every_message_of_the_code(tmp_path):
    """Extract the messages afresh in a copy of the project and compare with the committed catalogues."""
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "staticfiles", "node_modules", "__pycache__", "*.mo"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-location", "--ignore=tests/*", "-v0"],
        cwd=copy,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "socialdilemma.settings",
        },
    )
    fresh = copy / "locale/de/LC_MESSAGES/django.po"
    committed = ROOT / "locale/de/LC_MESSAGES/django.po"
    result = subprocess.run(
        ["msgcmp", "--use-untranslated", str(committed), str(fresh)], capture_output=True, text=True
    )
    assert result.returncode == 0, "Run `make messages` and translate:\n" + result.stderr


def test_german_is_formal():
    """We address visitors as "Sie": no informal pronoun in any German message."""
    import re

    text = (ROOT / "locale/de/LC_MESSAGES/django.po").read_text()
    # Every translation, plural forms and continuation lines included.
    found = re.findall(r'^msgstr(?:\[\d\])? "(.*)"\n((?:".*"\n)*)', text, flags=re.M)
    msgstrs = " ".join(first + rest for first, rest in found)
    assert "Gastgeberseite" in msgstrs and "Vorführungen freigegeben" in msgstrs
    informal = re.findall(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|euch|euer)\b", msgstrs, flags=re.I)
    assert not informal


@pytest.mark.django_db
def test_known_german_string_renders_in_german(client):
    html = client.get("/de/").content.decode()
    assert "Zum Inhalt springen" in html
    assert "Skip to content" not in html


def test_lazy_strings_follow_the_active_language():
    with translation.override("en"):
        assert str(settings.LANGUAGES[0][1]) == "German"
    with translation.override("de"):
        assert str(settings.LANGUAGES[0][1]) == "Deutsch"
