"""A real nginx (Debian's package nginx-light) with the README's page cache in front of the site, for the
tests and `make bench`. Needs no Django."""

import os
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")


@contextmanager
def nginx(upstream, folder):
    """nginx with docs/nginx/page-cache.conf in front of `upstream` (a base URL); its files in `folder`.
    Yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = folder / "nginx.conf"
    # Root's nginx would hand its workers to "nobody", who cannot use the test's folder.
    user = "user root;" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config.write_text(
        f"""
        {user}
        daemon off;
        worker_processes 1;
        pid {folder / "nginx.pid"};
        error_log {folder / "error.log"} warn;
        events {{ worker_connections 64; }}
        http {{
            access_log off;
            {temp}
            proxy_cache_path {folder / "cache"} levels=1:2 keys_zone=socialdilemma:1m max_size=16m inactive=10m
                             use_temp_path=off;
            upstream socialdilemma {{ server {upstream.removeprefix("http://")}; }}
            server {{
                listen 127.0.0.1:{port};
                location / {{ include {ROOT / "docs/nginx/page-cache.conf"}; }}
            }}
        }}
        """
    )
    process = subprocess.Popen([str(NGINX), "-c", str(config), "-p", str(folder)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start: " + process.stderr.read().decode()) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
