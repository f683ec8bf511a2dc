"""Loaded by pytest before Django's settings (`-p tests.envdefaults` in pyproject.toml): the suite's
defaults, so that a plain `pytest` runs like `make test`. pytest-django still runs tests with DEBUG off."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/socialdilemma")
