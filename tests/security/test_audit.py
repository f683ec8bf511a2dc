"""The dependency audit's verdicts on pip-audit's JSON reports (see tests/audit.py)."""

from tests.audit import ROOT, pinned_names, verdict

CLEAN = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {"name": "redis", "version": "8.1.0", "vulns": []},
    ]
}
VULNERABLE = {
    "dependencies": [
        {"name": "redis", "version": "8.1.0", "vulns": []},
        {
            "name": "django",
            "version": "4.2.0",
            "vulns": [
                {"id": "PYSEC-2023-61", "fix_versions": ["3.2.19", "4.1.9", "4.2.1"], "aliases": ["CVE-2023-31047"]},
                {"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": [], "aliases": []},
            ],
        },
    ]
}
UNREACHABLE = {
    "dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.19)"},
        {"name": "redis", "skip_reason": "Dependency not found on PyPI and could not be audited: redis (8.1.0)"},
    ]
}


def test_a_known_vulnerability_fails_the_audit_and_is_named():
    for required in (False, True):
        code, lines = verdict(VULNERABLE, required=required)
        assert code == 1
        assert "VULNERABLE: django 4.2.0: PYSEC-2023-61 (fixed in: 3.2.19, 4.1.9, 4.2.1)" in lines
        assert "VULNERABLE: django 4.2.0: GHSA-xxxx-yyyy-zzzz (fixed in: no fixed version yet)" in lines


def test_a_clean_report_passes():
    assert verdict(CLEAN, required=True) == (0, ["Audited 2 pinned packages: no known vulnerability."])


def test_packages_that_could_not_be_checked_are_never_reported_as_safe():
    code, lines = verdict(UNREACHABLE, required=False)
    assert code == 0
    assert lines[0].startswith("NOT AUDITED: 2 of 2 pinned packages could not be checked")
    assert not any("no known vulnerability" in line for line in lines)
    assert verdict(UNREACHABLE, required=True)[0] == 1
    assert verdict(None, required=True)[0] == 1
    assert verdict(None, required=False) == (0, ["NOT AUDITED: pip-audit gave no report (see its message above)."])


def test_a_vulnerability_fails_even_when_other_packages_were_skipped():
    mixed = {"dependencies": VULNERABLE["dependencies"] + UNREACHABLE["dependencies"][1:]}
    code, lines = verdict(mixed, required=False)
    assert code == 1 and any(line.startswith("VULNERABLE: django") for line in lines)


def test_an_empty_report_or_a_pinned_package_missing_from_it_is_not_audited():
    code, lines = verdict({"dependencies": []}, required=True)
    assert code == 1 and lines[0].startswith("NOT AUDITED")
    assert verdict({}, required=False)[1][0].startswith("NOT AUDITED")
    code, lines = verdict(CLEAN, required=True, pinned={"django", "redis", "django-csp"})
    assert code == 1
    assert "NOT AUDITED: 1 of 3 pinned packages could not be checked; not in pip-audit's report: django-csp." in lines


def test_every_pin_of_the_lock_file_is_expected_in_the_report():
    names = pinned_names(ROOT / "requirements.lock")
    assert {"django", "psycopg-binary", "django-cookie-consent", "pip-audit"} <= names
    assert len(names) == len([line for line in (ROOT / "requirements.lock").read_text().splitlines() if "==" in line])
