"""The deployment kit (Dockerfile, compose.yaml, systemd unit, .env.example) matches the code.

Docker has no engine on this machine, so the image is not built here: the recipe is linted
with hadolint (when installed: the ``test`` extra brings it), and its entry point is checked
against the installed command line. The systemd unit is verified by ``systemd-analyze``
when the machine has it.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from support.paths import ROOT

PACKAGES = ("bot", "corpus", "retrieval")
VARIABLE = re.compile(r"""["'`]((?:HAIQUAN|TELEGRAM)_[A-Z0-9_]+)["'`]""")


def variables_the_code_reads() -> set[str]:
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found |= set(VARIABLE.findall(path.read_text(encoding="utf-8")))
    return found


def env_example_variables() -> list[str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]


def test_env_example_lists_every_variable_the_code_reads_once_with_a_comment():
    listed = env_example_variables()
    assert len(listed) == len(set(listed))
    assert set(listed) == variables_the_code_reads()
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    for name in listed:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{name}="))
        assert lines[index - 1].startswith("#") or lines[index - 1].startswith(
            ("HAIQUAN_", "TELEGRAM_")), f"{name} has no comment above it"


def test_the_code_scan_sees_the_variables():
    # Guards the guard: if the pattern stopped matching, the test above would compare
    # two empty sets.
    assert {"TELEGRAM_BOT_TOKEN", "HAIQUAN_CORPUS_DIR", "HAIQUAN_SHARE_LINK_DAYS"} <= (
        variables_the_code_reads())


def dockerfile_instructions() -> dict[str, list[str]]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            found.setdefault(word.upper(), []).append(rest.strip())
    return found


def test_the_image_runs_unprivileged_with_a_data_volume_and_a_health_check():
    docker = dockerfile_instructions()
    assert docker["FROM"][0].startswith("python:3.11-slim")
    [user] = docker["USER"]
    assert user.split(":")[0] not in ("0", "root")
    assert "/data" in json.loads(docker["VOLUME"][0])
    assert any("HAIQUAN_DATA_DIR=/data" in env for env in docker["ENV"])
    assert docker["HEALTHCHECK"] and "CMD" in docker["HEALTHCHECK"][0]
    assert any("pip install ." in run for run in docker["RUN"])  # as the README installs


def test_the_health_check_tells_a_running_bot_from_a_stopped_one(tmp_path):
    from bot.admin.backup import run_lock

    command = json.loads(dockerfile_instructions()["HEALTHCHECK"][0].split("CMD", 1)[1])
    assert command[0] == "python"

    def check() -> int:
        env = {**os.environ, "HAIQUAN_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
        return subprocess.run([sys.executable, *command[1:]], env=env, cwd=tmp_path,  # noqa: S603
                              capture_output=True, check=False).returncode

    assert check() == 1  # no bot
    with run_lock(tmp_path):  # what `haiquan-bot run` holds while it runs
        assert check() == 0
    assert check() == 1


def test_the_image_entry_point_is_a_command_the_package_has():
    docker = dockerfile_instructions()
    entry, command = json.loads(docker["ENTRYPOINT"][0]), json.loads(docker["CMD"][0])
    assert entry == ["haiquan-bot"]
    result = subprocess.run([sys.executable, "-m", "bot", *command, "--help"], cwd=ROOT,  # noqa: S603
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "--token" in result.stdout


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint is not installed")
def test_hadolint_finds_nothing_in_the_dockerfile():
    result = subprocess.run(["hadolint", str(ROOT / "Dockerfile")],  # noqa: S603, S607
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_mounts_the_data_and_the_corpus_and_reads_the_env_file():
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "env_file: .env" in text and "restart: unless-stopped" in text
    assert "haiquan-data:/data" in text and ":/corpus" in text
    assert "HAIQUAN_CORPUS_DIR: /corpus" in text
    assert "#   TELEGRAM_API_BASE_URL=http://bot-api:8081/bot" in text


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(ROOT / "deploy" / "haiquan-bot.service", encoding="utf-8")
    return parser


def test_the_systemd_unit_restarts_reads_the_env_file_and_is_hardened():
    service = unit()["Service"]
    assert service["EnvironmentFile"] == "/etc/haiquan-bot/env"
    assert service["Restart"] == "on-failure"
    assert service["User"] != "root"
    assert service["ExecStart"].endswith("haiquan-bot run")
    assert service["StateDirectory"] == "haiquan-bot"
    assert "HAIQUAN_DATA_DIR=/var/lib/haiquan-bot" in service["Environment"] or any(
        "HAIQUAN_DATA_DIR=/var/lib/haiquan-bot" in line
        for line in (ROOT / "deploy" / "haiquan-bot.service").read_text().splitlines())
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict",
                       "ProtectHome": "yes", "PrivateTmp": "yes"}.items():
        assert service[key] == value, key


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_accepts_the_unit():
    result = subprocess.run(  # noqa: S603
        ["systemd-analyze", "verify", str(ROOT / "deploy" / "haiquan-bot.service")],  # noqa: S607
        capture_output=True, text=True, check=False)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                # The program is installed at deployment, not on this machine.
                if line.strip() and "/opt/haiquan-bot/bin/haiquan-bot is not executable" not in line]
    assert problems == []
