"""`stowctl sim-drive` driven by pymodbus's client: an independent Modbus implementation checks
that the simulated drive speaks Modbus RTU and CiA 402 the way a real drive does.

The binary is $STOWCTL_BIN if set, else `stowctl` in `swift build --show-bin-path` (run
`swift build` first; `make test` does). A missing binary fails the tests with that message.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from pymodbus.client import ModbusSerialClient

REPO = Path(__file__).resolve().parents[2]
REPLY_TIMEOUT_S = 0.3
STATE_MASK = 0x006F


def stowctl_binary() -> Path:
    explicit = os.environ.get("STOWCTL_BIN")
    if explicit:
        path = Path(explicit)
    else:
        try:
            bin_dir = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True,
                                     capture_output=True, text=True, timeout=120).stdout.strip()
        except (OSError, subprocess.SubprocessError) as error:
            pytest.fail(f"cannot find the stowctl binary: `swift build --show-bin-path` failed ({error}); "
                        "set STOWCTL_BIN to the built stowctl")
        path = Path(bin_dir) / "stowctl"
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"stowctl binary not found at {path}: run `swift build` first (or set STOWCTL_BIN)")
    return path


@pytest.fixture(scope="module")
def binary() -> Path:
    return stowctl_binary()


class SimDrive:
    """`stowctl sim-drive` on a pty it creates, and pymodbus's client on the link."""

    def __init__(self, binary: Path, tmp_path: Path, unit: int = 1, role: str = "plank") -> None:
        self.link = tmp_path / "drive"
        self.process = subprocess.Popen(
            [str(binary), "sim-drive", "--pty", str(self.link), "--unit", str(unit), "--role", role],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.client = None
        ready = self.process.stdout.readline().strip()
        if not ready.startswith("READY /dev/pts/"):
            self.process.kill()
            raise AssertionError(f"sim-drive said {ready!r}; stderr: {self.process.stderr.read()}")
        self.unit = unit
        self.client = ModbusSerialClient(str(self.link), baudrate=115200, parity="N", stopbits=2,
                                         timeout=REPLY_TIMEOUT_S, retries=0)
        assert self.client.connect()

    def command(self, line: str) -> list[str]:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        lines = []
        while True:
            reply = self.process.stdout.readline().strip()
            if reply == "ok":
                return lines
            if reply.startswith("error:") or not reply:
                raise AssertionError(f"{line!r} -> {reply!r}")
            lines.append(reply)

    def read(self, address: int, count: int = 1) -> list[int]:
        reply = self.client.read_holding_registers(address, count=count, device_id=self.unit)
        assert not reply.isError(), reply
        return reply.registers

    def write(self, address: int, value: int) -> None:
        reply = self.client.write_register(address, value, device_id=self.unit)
        assert not reply.isError(), reply

    def statusword(self) -> int:
        return self.read(0x6041)[0]

    def stop(self) -> int:
        if self.client is not None:
            self.client.close()
        self.process.stdin.close()
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture
def drive(binary: Path, tmp_path: Path):
    simulated = SimDrive(binary, tmp_path)
    yield simulated
    if simulated.process.poll() is None:
        simulated.stop()


def test_reads_the_statusword_of_a_booted_drive(drive: SimDrive) -> None:
    assert drive.statusword() == 0x0250  # switch on disabled, voltage enabled, remote
    assert drive.read(0x603F, 3) == [0, 0, 0x0250]  # error code, controlword, statusword


def test_walks_the_power_state_machine_with_controlword_writes(drive: SimDrive) -> None:
    drive.write(0x6040, 0x0006)
    assert drive.statusword() & STATE_MASK == 0x21  # ready to switch on
    drive.write(0x6040, 0x0007)
    assert drive.statusword() & STATE_MASK == 0x23  # switched on
    drive.write(0x6040, 0x000F)
    assert drive.statusword() & STATE_MASK == 0x27  # operation enabled
    drive.write(0x6040, 0x0002)
    status = drive.statusword()
    # Quick stop active, which at rest drops to switch on disabled within one 1 ms step.
    assert status & STATE_MASK == 0x07 or status & 0x4F == 0x40
    drive.write(0x6040, 0x0000)
    assert drive.statusword() & 0x4F == 0x40  # switch on disabled


def test_profile_velocity_moves_the_axis(drive: SimDrive) -> None:
    drive.write(0x6060, 3)
    reply = drive.client.write_registers(0x60FF, [0, 100 * 200], device_id=1)  # 100 mm/s at 200 counts/mm
    assert not reply.isError(), reply
    for word in (0x06, 0x07, 0x0F):
        drive.write(0x6040, word)
    deadline = time.monotonic() + 3
    while True:
        high, low = drive.read(0x606C, 2)
        if (high << 16 | low) == 100 * 200:
            break
        assert time.monotonic() < deadline, "velocity never reached 100 mm/s"
        time.sleep(0.01)
    assert drive.statusword() & 0x0400  # target reached


def test_unmapped_register_is_exception_02(drive: SimDrive) -> None:
    reply = drive.client.read_holding_registers(0x1000, count=1, device_id=1)
    assert reply.isError()
    assert reply.exception_code == 0x02


def test_refused_value_is_exception_03(drive: SimDrive) -> None:
    reply = drive.client.write_register(0x6060, 6, device_id=1)  # mode 6 (homing) is not supported
    assert reply.isError()
    assert reply.exception_code == 0x03


def test_injected_fault_shows_in_statusword_and_error_code(drive: SimDrive) -> None:
    drive.command("fault 0x2310")
    assert drive.statusword() & 0x4F == 0x08
    assert drive.read(0x603F) == [0x2310]
    drive.write(0x6040, 0x0080)  # rising edge of bit 7
    assert drive.statusword() & 0x4F == 0x40
    assert drive.read(0x603F) == [0]


def test_exits_cleanly_and_removes_its_link_at_end_of_stdin(binary: Path, tmp_path: Path) -> None:
    simulated = SimDrive(binary, tmp_path)
    assert simulated.link.is_symlink()
    assert simulated.stop() == 0
    assert not simulated.link.exists() and not simulated.link.is_symlink()
