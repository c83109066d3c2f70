"""`stowctl cell` against an independent cell-controller peer (cell_peer.py) on a socat pty pair.

The Swift side is the same `CellLink` backend `stowctl run` hands the controller; the peer is
written from docs/cell-link.md. Covers: status and item, a bin move accepted with the exact line
on the wire, a move refused with the peer's reason, garbage from the peer, a silent peer (a
timeout naming the port) and a late answer that must not count. About 5-10 s.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from test_console import start_socat
from test_sim_drive import stowctl_binary

PEERS = Path(__file__).resolve().parent
ANSWER_TIMEOUT_S = 10


class Peer:
    """cell_peer.py on one end of the pair; its stdout lines collected in a queue."""

    def __init__(self, port: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(PEERS / "cell_peer.py"), "--port", str(port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.expect("READY")

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, pattern: str) -> str:
        """The next stdout line matching `pattern` (others are skipped)."""
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"the peer printed nothing matching {pattern!r}")
            if re.fullmatch(pattern, line):
                return line

    def control(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        self.expect("ok|error: .*")

    def received(self) -> list[str]:
        """Every request line received so far (drains the queue)."""
        got = []
        while not self.lines.empty():
            line = self.lines.get()
            if line.startswith("got: "):
                got.append(line[5:])
        return got

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.control("quit")
            except BaseException:
                pass
            self.process.kill()
        self.process.wait(timeout=5)


@pytest.fixture
def link(tmp_path: Path):
    ours, theirs = tmp_path / "cell-ours", tmp_path / "cell-theirs"
    socat = start_socat(ours, theirs)
    peer = Peer(theirs)
    yield ours, peer
    peer.stop()
    socat.kill()
    socat.wait()


def cell(*args: str, port: Path, timeout_ms: int = 200) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(stowctl_binary()), "cell", *args, "--port", str(port), "--reply-timeout-ms", str(timeout_ms)],
        capture_output=True, text=True, timeout=30,
    )


def test_status_reports_an_answering_peer_and_no_item(link) -> None:
    port, peer = link
    result = cell("status", port=port)
    assert result.returncode == 0, result.stderr
    assert f"cell link {port}: answering, round trip " in result.stdout
    assert "item: none" in result.stdout
    assert re.fullmatch(r"WHAT [1-9][0-9]*", peer.received()[0])


def test_item_prints_the_catalog_entry_the_peer_holds(link) -> None:
    port, peer = link
    peer.control("item B0001 rigid-box 120.0 80.5 60 0.45")
    result = cell("item", port=port)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "B0001 rigid-box 120.0 x 80.5 x 60.0 mm 0.45 kg"


def test_a_bin_move_is_accepted_and_goes_out_as_one_exact_line(link) -> None:
    port, peer = link
    result = cell("move", "bin", "r1c2", "--x-mm", "140", "--advance-mm", "-20", port=port)
    assert result.returncode == 0, result.stderr
    assert "accepted (OK)" in result.stdout
    moves = [line for line in peer.received() if line.startswith("MOVE ")]
    assert len(moves) == 1
    assert re.fullmatch(r"MOVE [1-9][0-9]* bin r1c2 140\.0 -20\.0", moves[0]), moves


def test_induct_and_sideline_moves_are_accepted(link) -> None:
    port, _ = link
    for station in ("induct", "sideline"):
        result = cell("move", station, port=port)
        assert result.returncode == 0, result.stderr


def test_a_refused_move_exits_1_with_the_peers_reason(link) -> None:
    port, _ = link
    result = cell("move", "bin", "r9c9", port=port)
    assert result.returncode == 1
    assert "refused by the cell controller on" in result.stderr
    assert "unknown bin r9c9" in result.stderr


def test_garbage_from_the_peer_is_named_and_the_answer_after_it_still_counts(link) -> None:
    port, peer = link
    peer.control("garbage HELLO there")
    result = cell("status", port=port)
    assert result.returncode == 0, result.stderr
    assert "unknown keyword 'HELLO'" in result.stdout


def test_a_silent_peer_is_a_timeout_naming_the_port(link) -> None:
    port, peer = link
    peer.control("silent on")
    result = cell("status", port=port)
    assert result.returncode == 1
    assert f"the cell controller on {port} is silent" in result.stderr
    assert "no answer to WHAT" in result.stderr


def test_a_late_ok_is_not_taken_for_acceptance(link) -> None:
    port, peer = link
    peer.control("delay 500")
    result = cell("move", "sideline", port=port, timeout_ms=100)
    assert result.returncode == 1, result.stdout
    assert "accepted" not in result.stdout
    assert f"the cell controller on {port} is silent" in result.stderr


def test_no_port_at_all_names_the_path_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-tty"
    result = cell("status", port=missing)
    assert result.returncode == 1
    assert f"cell link {missing} cannot be opened" in result.stderr
    assert "fix: " in result.stderr


def config_with_cell_port(tmp_path: Path, port: Path) -> Path:
    """The shipped hardware config with its cell link moved to `port`."""
    text = (PEERS.parents[1] / "firmware-config" / "eoat-linux.yaml").read_text()
    assert "  port: /dev/ttyS1\n  baud: 115200\n  reply_timeout_ms" in text
    text = text.replace("  port: /dev/ttyS1\n  baud: 115200\n  reply_timeout_ms", f"  port: {port}\n  baud: 115200\n  reply_timeout_ms")
    path = tmp_path / "eoat-cell.yaml"
    path.write_text(text)
    return path


def test_status_reads_port_and_timeouts_from_the_config(link, tmp_path: Path) -> None:
    port, _ = link
    config = config_with_cell_port(tmp_path, port)
    result = subprocess.run([str(stowctl_binary()), "cell", "status", "--config", str(config)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert f"cell link {port}: answering" in result.stdout


def test_doctor_checks_the_cell_link_with_one_what(link, tmp_path: Path) -> None:
    port, peer = link
    peer.control("item B7 book 150 220 25 0.4")
    config = config_with_cell_port(tmp_path, port)
    result = subprocess.run([str(stowctl_binary()), "doctor", "--config", str(config), "--json"],
                            capture_output=True, text=True, timeout=60)
    checks = json.loads(result.stdout)["checks"]
    cell_check = next(check for check in checks if check["name"] == f"cell link {port}")
    assert cell_check["status"] == "ok", cell_check
    assert "answers WHAT in" in cell_check["found"] and "B7 book" in cell_check["found"]
    assert not [line for line in peer.received() if line.startswith("MOVE")], "doctor moves nothing"
    peer.control("silent on")
    result = subprocess.run([str(stowctl_binary()), "doctor", "--config", str(config), "--json"],
                            capture_output=True, text=True, timeout=60)
    cell_check = next(check for check in json.loads(result.stdout)["checks"] if check["name"] == f"cell link {port}")
    assert cell_check["status"] == "fail"
    assert f"the cell controller on {port} is silent" in cell_check["found"]
    assert "baud 115200 8N1" in cell_check["fix"]


def test_json_output_of_item_and_move(link) -> None:
    port, peer = link
    peer.control("item B0001 rigid-box 120.0 80.5 60 0.45")
    result = cell("item", "--json", port=port)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["item"] == {"id": "B0001", "kind": "rigid-box", "widthMM": 120.0,
                                                 "heightMM": 80.5, "depthMM": 60.0, "massKG": 0.45}
    result = cell("move", "bin", "r9c9", "--json", port=port)
    assert result.returncode == 1
    answer = json.loads(result.stdout)
    assert answer["accepted"] is False and answer["reason"] == "unknown bin r9c9"
    assert re.fullmatch(r"MOVE [1-9][0-9]* bin r9c9 0\.0 0\.0", answer["request"])
