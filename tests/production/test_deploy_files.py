"""The reference deployment (deploy/) cannot run here (no systemd, no container engine), so it is linted:
systemd units by systemd-analyze when present and by a parser always, compose.yaml parsed and checked for its
services and variables, the Containerfile for the instructions it must have.  And every variable the code
reads from the environment is documented in the README's Production section."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ("jumin-web.service", "jumin-worker.service", "jumin-beat.service")
APP_ENV = {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "LOG_FORMAT"}


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(DEPLOY / name)
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_each_systemd_unit_has_what_it_needs(name: str) -> None:
    unit = _unit(name)
    assert {"Unit", "Service", "Install"} <= set(unit.sections())
    service = unit["Service"]
    assert service["EnvironmentFile"] == "/etc/jumin/jumin.env"  # configured by the environment only
    assert service["User"] == "jumin" and service["Restart"] == "on-failure"
    assert service["ExecStart"].startswith("/opt/jumin/.venv/bin/")
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    expected = {
        "jumin-web.service": "gunicorn -c",
        "jumin-worker.service": " worker ",
        "jumin-beat.service": " beat ",
    }
    assert expected[name] in service["ExecStart"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_finds_nothing_but_the_missing_install(tmp_path: Path) -> None:
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(DEPLOY / u) for u in UNITS)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    # /opt/jumin is the install target, absent on this machine: that, and only that, may be reported
    unexpected = [line for line in lines if not re.search(r"Command /opt/jumin/\S+ is not executable", line)]
    assert unexpected == []


def test_compose_defines_the_processes_and_their_environment() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(services)
    for name in ("web", "worker", "beat", "migrate"):
        assert set(services[name]["environment"]) >= APP_ENV, name
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://jumin_app:")
    assert services["web"]["environment"]["WEB_CONCURRENCY"] == "4"
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    assert "create-app-role" in " ".join(services["migrate"]["command"])


def test_the_containerfile_has_the_required_instructions() -> None:
    logical = re.sub(r"\\\n", " ", (DEPLOY / "Containerfile").read_text())  # join continued lines
    lines = [ln.strip() for ln in logical.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    instructions = [ln.split()[0] for ln in lines]
    for needed in ("FROM", "WORKDIR", "COPY", "RUN", "USER", "EXPOSE", "HEALTHCHECK", "CMD"):
        assert needed in instructions, needed
    assert instructions[0] == "FROM" and set(instructions) <= {"FROM", "WORKDIR", "COPY", "RUN", "USER", "ENV",
                                                               "EXPOSE", "HEALTHCHECK", "CMD"}  # fmt: skip
    assert "USER jumin" in lines  # not root
    text = "\n".join(lines)
    assert "/healthz" in text and "gunicorn" in text and "fonts-ipamj-mincho" in text


def test_the_gunicorn_config_reads_only_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import runpy

    monkeypatch.setenv("BIND", "127.0.0.1:9999")
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:9999" and config["workers"] == 7


def test_every_setting_read_from_the_environment_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Production" in readme
    sources = [ROOT / "handlers" / "settings.py", ROOT / "webui" / "hardening.py", ROOT / "webui" / "ops" / "__init__.py",
               DEPLOY / "gunicorn.conf.py", ROOT / "handlers" / "observability.py", ROOT / "worker" / "celery_app.py"]  # fmt: skip
    names = set()
    for source in sources:
        names |= set(re.findall(r"""\benv(?:iron)?\.get\(\s*["']([A-Z_]+)["']""", source.read_text()))
        names |= set(re.findall(r"""_limit\("([a-z]+)",""", source.read_text()))
    names = {f"{n.upper()}_RATE_LIMIT" if n.islower() else n for n in names}
    assert {
        "DATABASE_URL",
        "METRICS_TOKEN",
        "TRUSTED_PROXIES",
        "WEB_CONCURRENCY",
        "LOGIN_RATE_LIMIT",
    } <= names
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert missing == []
