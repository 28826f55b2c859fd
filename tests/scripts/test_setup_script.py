"""scripts/setup.sh --dev on a machine that has everything: no apt-get, whatever fc-list prints."""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _fake(bin_dir, name, body):
    path = bin_dir / name
    path.write_text("#!/usr/bin/env bash\n" + body + "\n")
    path.chmod(0o755)


@pytest.fixture
def checkout(tmp_path):
    """A copy of the scripts with a ready venv stamp, .env and axe-core, and fake system tools."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    for name in ("requirements.txt", "requirements-dev.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").symlink_to(sys.executable)
    digest = hashlib.sha1(
        (tmp_path / "requirements.txt").read_bytes() + (tmp_path / "requirements-dev.txt").read_bytes()
    ).hexdigest()[:12]
    (tmp_path / ".venv" / f".installed-{digest}").touch()
    (tmp_path / ".env").write_text("DEBUG=true\n")
    axe = tmp_path / "node_modules" / "axe-core"
    axe.mkdir(parents=True)
    (axe / "axe.min.js").write_text("")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.log"
    for tool in ("apt-get", "sudo", "npm"):
        _fake(bin_dir, tool, f'echo "{tool} $*" >> {calls}')
    _fake(bin_dir, "chromium", "exit 0")
    return tmp_path, bin_dir, calls


def _run(checkout_dir, bin_dir, *args):
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "CHROMIUM": str(bin_dir / "chromium")}
    env["PYTHON"] = sys.executable
    return subprocess.run(
        ["bash", str(checkout_dir / "scripts" / "setup.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_dev_setup_with_chromium_and_fonts_present_never_runs_apt_get(checkout):
    directory, bin_dir, calls = checkout
    # A long font list with the Korean font first: grep -q stops reading early, which made
    # `fc-list | grep -q` under pipefail fail with 141.
    _fake(bin_dir, "fc-list", 'echo "NanumGothic"; for i in $(seq 1 20000); do echo "DejaVu Sans $i"; done')
    for _ in range(5):
        result = _run(directory, bin_dir, "--dev")
        assert result.returncode == 0, result.stderr
        assert "installing Debian" not in result.stdout
    assert not calls.exists()


def test_dev_setup_without_the_korean_font_installs_it(checkout):
    directory, bin_dir, calls = checkout
    _fake(bin_dir, "fc-list", 'echo "DejaVu Sans"')
    result = _run(directory, bin_dir, "--dev")
    assert result.returncode == 0, result.stderr
    assert "apt-get install -y -qq chromium fonts-nanum" in calls.read_text()
