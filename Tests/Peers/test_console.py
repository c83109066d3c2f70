"""`stowctl console` driven from the terminal side of a pty pair, as a field engineer's laptop would.

socat makes the pair; `stowctl console --port A` serves the simulated controller on one end and
pexpect talks on the other, byte for byte what picocom would send. One session covers: help,
status, show loops, garbage and over-long input, a jog refused while disarmed and while a stow
runs, an armed jog that moves the plank, fault injection and reset, and a disconnect with the
console coming back on the same link. About 30-60 s (the simulator runs in real time).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
import tty
from pathlib import Path

import pexpect
import pexpect.fdpexpect
import pytest

from test_sim_drive import stowctl_binary

REPO = Path(__file__).resolve().parents[2]
PROMPT = re.compile(rb"stow\[[A-Za-z_-]+\]> ")
ANSWER_TIMEOUT_S = 10


def start_socat(a: Path, b: Path) -> subprocess.Popen:
    if shutil.which("socat") is None:
        pytest.fail("socat is not installed: run scripts/bootstrap test")
    process = subprocess.Popen(
        ["socat", "-d", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 5
    while not (a.exists() and b.exists()):
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("socat did not create the pty pair within 5 s")
        time.sleep(0.05)
    return process


class Terminal:
    """The laptop's end of the link: raw bytes out, answers read up to `ok` or `error:`."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(str(path), os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.child = pexpect.fdpexpect.fdspawn(self.fd, timeout=ANSWER_TIMEOUT_S)
        self.process: subprocess.Popen | None = None

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass

    def drain(self, quiet_s: float = 1.0) -> None:
        """Reads and forgets output until none came for `quiet_s`."""
        while True:
            try:
                self.child.expect(rb"[\s\S]+", timeout=quiet_s)
            except pexpect.TIMEOUT:
                return

    def process_alive(self) -> bool:
        return self.process is None or self.process.poll() is None

    def send(self, data: bytes | str) -> None:
        self.child.send(data)

    def command(self, line: str, timeout: float = ANSWER_TIMEOUT_S) -> tuple[bool, str]:
        """Sends a line; returns (ok, everything printed before `ok`/`error: ...`, error text included)."""
        self.child.send(line + "\r")
        index = self.child.expect([rb"\r\nok\r\n", rb"error: ([^\r\n]*)\r\n"], timeout=timeout)
        text = self.child.before.decode(errors="replace")
        if index == 1:
            return False, text + "error: " + self.child.match.group(1).decode(errors="replace")
        return True, text

    def ok(self, line: str) -> str:
        ok, text = self.command(line)
        assert ok, f"{line!r} -> {text}"
        return text

    def json(self, line: str) -> dict:
        self.child.send(line + " --json\r")
        self.child.expect(rb"(\{\"ok\":[^\r\n]*)\r\n")
        reply = json.loads(self.child.match.group(1))
        assert reply["ok"], reply
        return reply["data"]


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    binary = stowctl_binary()
    directory = tmp_path_factory.mktemp("console")
    a, b = directory / "console-a", directory / "console-b"
    socat = start_socat(a, b)
    process = subprocess.Popen(
        [str(binary), "console", "--config", str(REPO / "firmware-config/sim.yaml"), "--port", str(a)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO,
    )
    terminal = Terminal(b)
    terminal.process = process
    session = {"process": process, "socat": socat, "terminal": terminal, "a": a, "b": b}
    try:
        reach(terminal)
        yield session
    finally:
        session["terminal"].close()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        session["socat"].kill()


def reach(terminal: Terminal, attempts: int = 15) -> None:
    """Sends `status` until the console answers (it may still be opening its end)."""
    for _ in range(attempts):
        try:
            terminal.command("status", timeout=1.5)
            return
        except pexpect.TIMEOUT:
            continue
    raise AssertionError("the console did not answer `status` within 20 s")


def wait_for_state(terminal: Terminal, wanted: set[str], timeout_s: float = 60) -> str:
    """Polls the stow state; acknowledges a safe hold (an item fell) unless that is wanted."""
    deadline = time.monotonic() + timeout_s
    seen: list[str] = []
    while time.monotonic() < deadline:
        status = terminal.json("status")
        state = status["stow_state"]
        if not seen or seen[-1] != state:
            seen.append(state)
        if state in wanted:
            return state
        if state == "safe_hold":
            terminal.command("ack")
        time.sleep(0.05)
    raise AssertionError(f"stow state never became one of {wanted} within {timeout_s} s; seen {seen}; last status {status}")


def plank_position(terminal: Terminal) -> float:
    drives = terminal.json("show drives")["drives"]
    plank = next(d for d in drives if d["name"] == "plank")
    return plank["position_mm"]


def test_help_lists_every_command_and_explains_one(console):
    terminal = console["terminal"]
    text = terminal.ok("help")
    for word in ["status", "show loops", "jog DRIVE VELOCITY_MM_S", "arm maintenance", "sim fault LINE"]:
        assert word in text
    assert "usage: jog DRIVE VELOCITY_MM_S" in terminal.ok("help jog")
    ok, text = terminal.command("help frobnicate")
    assert not ok and "type `help`" in text


def test_status_shows_state_estop_faults_and_realtime_report(console):
    text = console["terminal"].ok("status")
    for word in ["stow state", "e-stop      clear", "faults", "maintenance", "real-time report", "preemption"]:
        assert word in text, text


def test_show_loops_lists_each_loop_and_resets(console):
    terminal = console["terminal"]
    text = terminal.ok("show loops")
    for loop in ["sim-world", "bus0", "perception", "control"]:
        assert loop in text
    loops = terminal.json("show loops")["loops"]
    control = next(loop for loop in loops if loop["name"] == "control")
    assert control["ticks"] > 100 and control["period_us"] == 1000
    assert control["execution_p99_us"] is not None
    # The simulator's own world step is not the controller's work: its execution is not measured.
    world = next(loop for loop in loops if loop["name"] == "sim-world")
    assert world["ticks"] > 100 and world["execution_p99_us"] is None and world["execution_max_us"] is None
    assert "exec -: the loop does not measure its execution" in text
    assert "statistics reset" in terminal.ok("show loops reset")


def test_show_pins_get_bus_config(console):
    terminal = console["terminal"]
    assert "eoat.plank.extended" in terminal.ok("show pins")
    assert re.search(r"eoat\.estop (true|false)", terminal.ok("get eoat.estop"))
    assert "bus0" in terminal.ok("show bus")
    assert "drive plank" in terminal.ok("show config")


def test_garbage_binary_and_overlong_lines_are_survived(console):
    terminal = console["terminal"]
    # Every byte value, broken escape sequences, then a flood of random bytes: lines in it are
    # answered with errors, and ctrl-C afterwards leaves a clean line whatever state it left.
    terminal.send(bytes(range(256)) + b"\x1b[99~\x1bXq\x80\xff\r")
    terminal.send(os.urandom(8192))
    terminal.send(b"\x03")
    terminal.drain()
    assert terminal.process_alive()
    ok, text = terminal.command("x" * 2000)
    assert not ok and "longer than 256 characters" in text
    terminal.send(b"jog plank 99\x03")
    terminal.child.expect(rb"\^C")
    ok, text = terminal.command("frobnicate")
    assert not ok and "unknown command 'frobnicate'" in text
    assert "stow state" in terminal.ok("status")


def test_journal_says_not_available_and_log_level_changes(console):
    terminal = console["terminal"]
    assert "in memory (no journal in console simulation mode)" in terminal.ok("journal last 5")
    assert "log level debug" in terminal.ok("log debug")
    terminal.ok("log info")


def test_jog_refused_while_disarmed_and_while_a_stow_runs(console):
    terminal = console["terminal"]
    ok, text = terminal.command("jog plank 20")
    assert not ok and "arm maintenance" in text
    for _ in range(20):
        wait_for_state(terminal, {"approach", "separate_bands", "make_space", "insert", "retract"})
        ok, text = terminal.command("arm maintenance")
        if not ok:
            assert "stow is in progress" in text
            return
        terminal.ok("disarm")  # the stow finished between the two commands: try the next one
    pytest.fail("never caught a stow in progress to refuse arming")


def test_armed_jog_moves_the_plank_within_the_speed_cap(console):
    terminal = console["terminal"]
    for _ in range(40):
        wait_for_state(terminal, {"await_item", "safe_hold"})
        ok, text = terminal.command("arm maintenance")
        if ok:
            break
    else:
        pytest.fail("could not arm maintenance in 40 tries")
    assert terminal.json("status")["prompt_state"] == "MAINTENANCE"
    ok, text = terminal.command("jog plank 500")
    assert not ok and "over the maintenance limit of 100.0 mm/s" in text
    before = plank_position(terminal)
    terminal.ok("jog plank 40")
    time.sleep(2)
    after = plank_position(terminal)
    terminal.ok("jog plank 0")
    assert after - before > 20, f"plank moved {after - before:.1f} mm in 2 s at 40 mm/s"
    assert "travel minimum" in terminal.ok("home plank")
    time.sleep(2)
    homed = plank_position(terminal)
    assert homed < after - 10, f"home moved the plank from {after:.1f} to {homed:.1f} mm"
    assert "holding" in terminal.ok("enable jaw")
    assert "disabled" in terminal.ok("disable jaw")
    assert "held true" in terminal.ok("set eoat.tower-light.red true")
    time.sleep(0.1)  # outputs change at the next control tick
    assert re.search(r"eoat\.tower-light\.red true", terminal.ok("get eoat.tower-light.red"))
    assert "drives off" in terminal.ok("disarm")
    deadline = time.monotonic() + 60
    while not re.search(r"#\d+ ", terminal.ok("journal last 3")):
        assert time.monotonic() < deadline, "no stow attempt finished within 60 s of disarming"
        wait_for_state(terminal, {"await_item", "approach", "separate_bands", "make_space", "insert", "retract", "verify"})
        time.sleep(0.5)
    if terminal.json("status")["stow_state"] == "safe_hold":
        assert "leaves safe_hold" in terminal.ok("ack")
    ok, text = terminal.command("jog plank 10")
    assert not ok and "not armed" in text


def test_injected_drive_fault_latches_and_reset_clears_it(console):
    terminal = console["terminal"]
    assert "fault scheduled" in terminal.ok("sim fault drive-fault plank 0x7500")
    deadline = time.monotonic() + 10
    while not any(f["kind"] == "drive-fault" for f in terminal.json("show faults")["faults"]):
        assert time.monotonic() < deadline, "drive-fault never latched"
        time.sleep(0.1)
    terminal.child.send("\r")
    terminal.child.expect(rb"stow\[SAFE-STOP\]> ")
    ok, text = terminal.command("sim fault nonsense here")
    assert not ok and "firmware-config/README.md" in text
    terminal.ok("sim fault clear")
    clear_faults(terminal)


def test_console_estop_latches_an_operator_stop_until_reset(console):
    terminal = console["terminal"]
    assert "operator stop latched" in terminal.ok("estop")
    faults = terminal.json("show faults")["faults"]
    assert any(f["kind"] == "operator-stop" for f in faults)
    ok, text = terminal.command("arm maintenance")
    assert not ok and "reset faults" in text
    clear_faults(terminal)


def clear_faults(terminal: Terminal) -> None:
    deadline = time.monotonic() + 15
    while True:
        terminal.ok("reset faults")
        time.sleep(0.6)
        if not terminal.json("show faults")["faults"]:
            return
        assert time.monotonic() < deadline, terminal.ok("show faults")


def test_mode_json_answers_every_command_as_one_json_line(console):
    terminal = console["terminal"]
    terminal.child.send("mode json\r")
    terminal.child.expect(rb"\{\"ok\":true,\"command\":\"mode\"[^\r\n]*\r\n")
    terminal.child.send("get eoat.jaw.open\r")
    terminal.child.expect(rb"(\{\"ok\":[^\r\n]*)\r\n")
    reply = json.loads(terminal.child.match.group(1))
    assert reply["data"]["signal"] == "eoat.jaw.open"
    terminal.child.send("bogus\r")
    terminal.child.expect(rb"(\{\"ok\":false[^\r\n]*)\r\n")
    terminal.child.send("mode text\r")
    terminal.child.expect(rb"mode text\r\nok\r\n")


def test_watch_updates_until_a_key_is_pressed(console):
    terminal = console["terminal"]
    terminal.child.send("watch plank\r")
    terminal.child.expect(rb"t=[0-9.]+s plank")
    terminal.child.expect(rb"t=[0-9.]+s plank")
    terminal.child.send(" ")
    terminal.child.expect(rb"\r\nok\r\n")
    terminal.ok("status")


def test_disconnect_and_the_console_comes_back(console):
    terminal = console["terminal"]
    terminal.close()
    console["socat"].kill()
    console["socat"].wait()
    time.sleep(1.5)
    assert console["process"].poll() is None, "the console exited when its port went away"
    console["socat"] = start_socat(console["a"], console["b"])
    console["terminal"] = Terminal(console["b"])
    reach(console["terminal"])
    assert "stow state" in console["terminal"].ok("status")
