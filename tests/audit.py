"""`make audit` (part of `make test`): pip-audit on the pinned dependencies in requirements.lock.

Fails on any known vulnerability. pip-audit by itself reports "No known vulnerabilities found" even
when it could not look a single package up (it only marks them as skipped), so this reads its JSON
report and tells the three outcomes apart:

- a known vulnerability: listed, exit 1;
- every package checked, none vulnerable: exit 0;
- packages that could not be checked (the vulnerability service is unreachable, as on a machine that
  reaches PyPI's package index but not its JSON API): said loudly, and exit 1 when AUDIT_REQUIRED=1
  (set it where the service is reachable, as in a CI with internet access), otherwise exit 0 so that
  the rest of the suite still runs.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
TIMEOUT_SECONDS = 180  # a network that swallows requests must not hold up the whole suite


def run_pip_audit(requirements):
    command = [
        str(PIP_AUDIT),
        "--requirement",
        str(requirements),
        "--no-deps",  # requirements.lock pins every package, transitive ones included
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        "5",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return None, f"pip-audit did not finish within {TIMEOUT_SECONDS} s"
    if not result.stdout.strip():
        # No report at all: pip-audit itself failed (a service error, say); nothing was checked.
        return None, result.stderr.strip()
    return json.loads(result.stdout), result.stderr.strip()


def pinned_names(requirements):
    """The names of the packages pinned in a requirements file, normalised as pip-audit reports them."""
    names = set()
    for line in Path(requirements).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            names.add(_normalised(line.split("==", 1)[0]))
    return names


def _normalised(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def verdict(report, *, required, pinned=None):
    """(exit code, lines to print) for a pip-audit JSON report (None: pip-audit gave no report).

    pinned: the package names that must all have been checked (a package missing from the report
    counts as not checked).
    """
    if report is None:
        return (1 if required else 0), ["NOT AUDITED: pip-audit gave no report (see its message above)."]
    dependencies = report.get("dependencies", [])
    vulnerable = [dependency for dependency in dependencies if dependency.get("vulns")]
    skipped = [dependency["name"] for dependency in dependencies if "skip_reason" in dependency]
    reasons = [dependency["skip_reason"] for dependency in dependencies if "skip_reason" in dependency]
    reported = {_normalised(dependency["name"]) for dependency in dependencies}
    missing = sorted((pinned or set()) - reported)
    lines = []
    for dependency in vulnerable:
        for vulnerability in dependency["vulns"]:
            fixes = ", ".join(vulnerability.get("fix_versions") or []) or "no fixed version yet"
            lines.append(
                f"VULNERABLE: {dependency['name']} {dependency['version']}: {vulnerability['id']} (fixed in: {fixes})"
            )
    checked = len(dependencies) - len(skipped)
    total = max(len(pinned or ()), len(dependencies))
    if skipped or missing or not checked:
        detail = f" (first: {reasons[0]})" if reasons else ""
        if missing:
            detail += f"; not in pip-audit's report: {', '.join(missing)}"
        lines.append(f"NOT AUDITED: {total - checked} of {total} pinned packages could not be checked{detail}.")
        if not required:
            lines.append("  Set AUDIT_REQUIRED=1 where the vulnerability service is reachable to make this an error.")
    if vulnerable or (required and (skipped or missing or not checked)):
        return 1, lines
    if checked:
        lines.append(f"Audited {checked} pinned packages: no known vulnerability.")
    return 0, lines


def main():
    requirements = ROOT / "requirements.lock"
    report, messages = run_pip_audit(requirements)
    code, lines = verdict(report, required=os.environ.get("AUDIT_REQUIRED") == "1", pinned=pinned_names(requirements))
    if messages and (code or report is None):
        print(messages, file=sys.stderr)
    for line in lines:
        print(line)
    return code


if __name__ == "__main__":
    sys.exit(main())
