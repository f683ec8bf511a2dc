"""Screenshots of the site as a first-time visitor sees it, for the README (`make screenshots`).

Starts the development site (`manage.py runserver`, the database of `make run`) on a free port, renders
/de/, /en/, /de/faq/, /de/tour/ and /de/screenings/register/ at 390 and 1280 px wide with headless
Chromium (the first screen at 390 px, the whole page at 1280 px) into docs/screenshots/, and stops it.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PAGES = ["/de/", "/en/", "/de/faq/", "/de/tour/", "/de/screenings/register/"]
# (width, height of the first screen, the whole page or only the first screen)
VIEWPORTS = [(390, 844, False), (1280, 800, True)]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def file_name(path, width):
    return (path.strip("/").replace("/", "-") or "home") + f"-{width}.png"


def main():
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}
    server = subprocess.Popen(  # noqa: S603 - our own manage.py, no outside input
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz")
        OUTPUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            for width, height, full_page in VIEWPORTS:
                # A new context per width: no cookie, as on a first visit (the consent banner shows).
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                for path in PAGES:
                    page.goto(base + path)
                    target = OUTPUT / file_name(path, width)
                    page.screenshot(path=str(target), full_page=full_page)
                    print(target.relative_to(ROOT))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
