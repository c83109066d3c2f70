"""`make install` / `make uninstall` into a temporary DESTDIR, checked file by file, and the
installed systemd unit checked by `systemd-analyze verify`.

Uses the debug build `make test` has just made (INSTALL_CONFIGURATION=debug STATIC_STDLIB=), so it
costs seconds, not a release build; `make install` itself defaults to release with -static-stdlib.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FAST_BUILD = ["INSTALL_CONFIGURATION=debug", "STATIC_STDLIB="]

# Every file a PREFIX=/usr install puts under DESTDIR, with its mode.
EXPECTED = {
    "usr/bin/stowctl": 0o755,
    "etc/stowctl/eoat.yaml": 0o644,
    "etc/stowctl/sim.yaml": 0o644,
    "usr/lib/systemd/system/stowctl.service": 0o644,
    "usr/lib/udev/rules.d/60-stowctl.rules": 0o644,
    "usr/lib/sysusers.d/stowctl.conf": 0o644,
    "usr/share/doc/stowctl/deploy.md": 0o644,
    "usr/share/doc/stowctl/safety.md": 0o644,
    "usr/share/doc/stowctl/console.md": 0o644,
    "usr/share/doc/stowctl/journal.md": 0o644,
    "usr/share/doc/stowctl/firmware-config.md": 0o644,
}


def make(target: str, destdir: Path, *extra: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["make", "--no-print-directory", target, f"DESTDIR={destdir}", "PREFIX=/usr", *FAST_BUILD, *extra],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, f"make {target} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One install for the module; tests that change it work on a copy."""
    root = tmp_path_factory.mktemp("install") / "root"
    make("install", root)
    return root


def copy_of(installed: Path, tmp_path: Path) -> Path:
    root = tmp_path / "root"
    shutil.copytree(installed, root, symlinks=True)
    return root


def installed_files(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root)): stat.S_IMODE(path.stat().st_mode)
        for path in root.rglob("*") if path.is_file()
    }


def test_install_puts_every_file_in_place_and_uninstall_removes_them(installed: Path, tmp_path: Path) -> None:
    root = copy_of(installed, tmp_path)
    assert installed_files(root) == EXPECTED

    binary = root / "usr/bin/stowctl"
    version = subprocess.run([binary, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.strip()
    assert (root / "etc/stowctl/eoat.yaml").read_bytes() == (REPO / "firmware-config/eoat-linux.yaml").read_bytes()
    assert (root / "etc/stowctl/sim.yaml").read_bytes() == (REPO / "firmware-config/sim.yaml").read_bytes()
    assert (root / "usr/lib/udev/rules.d/60-stowctl.rules").read_bytes() == (REPO / "deploy/60-stowctl.rules").read_bytes()
    assert (root / "usr/lib/sysusers.d/stowctl.conf").read_bytes() == (REPO / "deploy/stowctl.sysusers").read_bytes()
    assert (root / "usr/share/doc/stowctl/deploy.md").read_bytes() == (REPO / "docs/deploy.md").read_bytes()

    unit = (root / "usr/lib/systemd/system/stowctl.service").read_text()
    assert "@" not in unit.replace("@BINDIR@", "!"), "every placeholder filled in"
    lines = unit.splitlines()
    assert "ExecStart=/usr/bin/stowctl run --config /etc/stowctl/eoat.yaml" in lines
    for setting in ["User=stow", "Group=stow", "StateDirectory=stowctl", "Restart=on-failure", "KillSignal=SIGTERM",
                    "AmbientCapabilities=CAP_SYS_NICE CAP_IPC_LOCK", "LimitRTPRIO=95", "LimitMEMLOCK=infinity"]:
        assert setting in lines, setting

    # Nothing of ours is left behind (directories that existed before, like usr/lib, may stay).
    make("uninstall", root)
    assert installed_files(root) == {}
    assert not (root / "etc/stowctl").exists()
    assert not (root / "usr/share/doc/stowctl").exists()


def test_reinstall_keeps_an_edited_config(installed: Path, tmp_path: Path) -> None:
    root = copy_of(installed, tmp_path)
    config = root / "etc/stowctl/eoat.yaml"
    edited = config.read_text().replace("name: eoat-cell-01", "name: eoat-cell-07")
    config.write_text(edited)

    again = make("install", root)
    assert config.read_text() == edited
    assert (root / "etc/stowctl/eoat.yaml.new").read_bytes() == (REPO / "firmware-config/eoat-linux.yaml").read_bytes()
    assert "kept your edited" in again.stdout

    uninstalled = make("uninstall", root)
    assert config.read_text() == edited, "an edited config survives uninstall"
    assert not (root / "etc/stowctl/eoat.yaml.new").exists()
    assert not (root / "etc/stowctl/sim.yaml").exists()
    assert "kept your edited" in uninstalled.stdout


def test_installed_unit_passes_systemd_analyze_verify(installed: Path, tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: run scripts/bootstrap test (installs systemd)")
    root = installed
    # verify checks that ExecStart's binary exists, so point the installed unit at the binary as
    # installed under DESTDIR; everything else is verified as installed.
    installed = (root / "usr/lib/systemd/system/stowctl.service").read_text()
    unit = tmp_path / "stowctl.service"
    unit.write_text(installed.replace("ExecStart=/usr/bin/stowctl", f"ExecStart={root}/usr/bin/stowctl"))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True,
                            env={**os.environ, "SYSTEMD_LOG_COLOR": "0"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_sysusers_file_creates_the_stow_user_in_dialout(tmp_path: Path) -> None:
    if shutil.which("systemd-sysusers") is None:
        pytest.fail("systemd-sysusers is missing: run scripts/bootstrap test (installs systemd)")
    (tmp_path / "etc").mkdir()
    result = subprocess.run(["systemd-sysusers", f"--root={tmp_path}", str(REPO / "deploy/stowctl.sysusers")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    passwd = (tmp_path / "etc/passwd").read_text()
    group = (tmp_path / "etc/group").read_text()
    assert any(line.startswith("stow:") and line.endswith(":/var/lib/stowctl:/usr/sbin/nologin") for line in passwd.splitlines())
    assert any(line.startswith("dialout:") and line.endswith(":stow") for line in group.splitlines())
