"""Draw the site's raster images from their SVG sources with headless Chromium (`make social-images`).

- static/img/og-de.png, og-en.png: the social preview of every page (og:image, 1200 x 630), one per
  language, from templates/social/og_image.svg with the site's own translated texts;
- static/img/apple-touch-icon.png (180 x 180) and icon-512.png: home-screen icons, from
  templates/social/icon.svg.

The PNGs are committed, so the site needs neither Chromium nor this script to run; run it again after
changing a source or one of the texts it uses.
"""

import os
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialdilemma.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.utils import translation  # noqa: E402
from django.utils.translation import gettext  # noqa: E402

OUTPUT = ROOT / "static" / "img"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PITCH_LINE_CHARACTERS = 38  # at 28 px, what fits left of the artwork
TITLE_SIZE = 92
CALL_CHARACTER_WIDTH = 15.5  # px per character of the call at 26 px, bold, for the button's width


def og_image_svg(language):
    with translation.override(language):
        title = gettext("The Social Dilemma").split()
        pitch = textwrap.wrap(
            gettext("The people who built social media explain how it manipulates us – and what we can do about it."),
            PITCH_LINE_CHARACTERS,
        )
        call = gettext("Host a screening")
        button_width = round(len(call) * CALL_CHARACTER_WIDTH + 56)
        return render_to_string(
            "social/og_image.svg",
            {
                "eyebrow": gettext("A Netflix documentary"),
                "title_lines": [" ".join(title[:-1]), title[-1]],
                "title_size": TITLE_SIZE,
                "title_second_y": 250 + TITLE_SIZE,
                "pitch_lines": [{"text": line, "y": 400 + 38 * n} for n, line in enumerate(pitch)],
                "call": call,
                "button_width": button_width,
                "button_text_x": 72 + button_width // 2,  # whole numbers: a German "278,5" would be two
            },
        )


def draw(page, svg, width, height, path):
    page.set_viewport_size({"width": width, "height": height})
    page.set_content(f'<html><body style="margin:0">{svg}</body></html>')
    page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": width, "height": height})
    print(f"{path.relative_to(ROOT)}: {width} x {height}, {path.stat().st_size:,} bytes")


def main():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        for language, _name in settings.LANGUAGES:
            draw(page, og_image_svg(language), 1200, 630, OUTPUT / f"og-{language}.png")
        for size, name in ((180, "apple-touch-icon.png"), (512, "icon-512.png")):
            svg = render_to_string("social/icon.svg", {"size": size})
            draw(page, svg, size, size, OUTPUT / name)
        browser.close()


if __name__ == "__main__":
    main()
