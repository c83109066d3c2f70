"""Tests of the CiA 402 Modbus RTU peer, driven over a socat pty pair by pymodbus's own client.

Each test gets a fresh peer (units 1, 2, 3) so no state leaks between tests; start-up is ~0.2 s.
Motion is checked by polling with deadlines, never by fixed sleeps alone.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from pymodbus.client import ModbusSerialClient
from pymodbus.exceptions import ModbusIOException
from pymodbus.framer import FramerRTU

PEER = Path(__file__).resolve().parent / "cia402_peer.py"
REPLY_TIMEOUT_S = 0.3

SW_STATE_MASK_SHORT = 0x004F  # states whose quick stop bit is "don't care"
SW_STATE_MASK_LONG = 0x006F


# --- Fixtures and helpers ------------------------------------------------------------------------


def crc(frame: bytes) -> bytes:
    return FramerRTU.compute_CRC(frame).to_bytes(2, "big")


def with_crc(frame: bytes) -> bytes:
    return frame + crc(frame)


def wait_until(condition, timeout_s: float = 2.0, poll_s: float = 0.005):
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(poll_s)


class Bus:
    """A socat pty pair, the peer on one end and pymodbus's client on the other."""

    def __init__(self, tmp_path: Path, units: str = "1,2,3", parity: str = "N") -> None:
        self.socat = self.peer = self.client = self.peer_stderr = None
        try:
            self._start(tmp_path, units, parity)
        except BaseException:
            self.close()  # a failed start must not leave socat or the peer running
            raise

    def _start(self, tmp_path: Path, units: str, parity: str) -> None:
        self.peer_end = tmp_path / "peer"
        self.client_end = tmp_path / "client"
        self.socat = subprocess.Popen(
            ["socat", f"pty,raw,echo=0,link={self.peer_end}", f"pty,raw,echo=0,link={self.client_end}"],
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: self.peer_end.exists() and self.client_end.exists())
        self.peer_stderr = open(tmp_path / "peer.stderr", "w")
        self.peer = subprocess.Popen(
            [sys.executable, str(PEER), "--port", str(self.peer_end), "--units", units,
             "--parity", parity],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.peer_stderr, text=True,
        )
        ready = self.peer.stdout.readline().strip()
        assert ready == "READY", f"peer said {ready!r}; stderr: {(tmp_path / 'peer.stderr').read_text()}"
        # The client end is a pty too: no parity there (see test_peer_accepts_even_parity_on_a_pty).
        self.client = ModbusSerialClient(str(self.client_end), baudrate=115200, parity="N",
                                         stopbits=2, timeout=REPLY_TIMEOUT_S, retries=0)
        assert self.client.connect()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        for process in (self.peer, self.socat):
            if process is not None:
                if process.poll() is None:
                    process.kill()
                process.wait()
        if self.peer_stderr is not None:
            self.peer_stderr.close()

    # Peer control on stdin
    def command(self, line: str) -> list[str]:
        self.peer.stdin.write(line + "\n")
        self.peer.stdin.flush()
        lines = []
        while True:
            reply = self.peer.stdout.readline().strip()
            if reply == "ok":
                return lines
            if reply.startswith("error:") or not reply:
                raise AssertionError(f"{line!r} -> {reply!r}")
            lines.append(reply)

    def get(self, unit: int, index: int) -> int:
        (line,) = self.command(f"get {unit} 0x{index:04X}")
        assert line.startswith("value ")
        return int(line.split()[1])

    # Modbus through pymodbus's client
    def read(self, address: int, count: int = 1, unit: int = 1) -> list[int]:
        reply = self.client.read_holding_registers(address, count=count, device_id=unit)
        assert not reply.isError(), reply
        return reply.registers

    def write(self, address: int, value: int, unit: int = 1) -> None:
        reply = self.client.write_register(address, value, device_id=unit)
        assert not reply.isError(), reply

    def write_multiple(self, address: int, values: list[int], unit: int = 1) -> None:
        reply = self.client.write_registers(address, values, device_id=unit)
        assert not reply.isError(), reply

    def write_i32(self, index: int, value: int, unit: int = 1) -> None:
        raw = value & 0xFFFF_FFFF
        self.write_multiple(index, [raw >> 16, raw & 0xFFFF], unit)

    def read_i32(self, index: int, unit: int = 1) -> int:
        high, low = self.read(index, 2, unit)
        raw = (high << 16) | low
        return raw - (1 << 32) if raw & 0x8000_0000 else raw

    def statusword(self, unit: int = 1) -> int:
        return self.read(0x6041, 1, unit)[0]

    # Raw frames, for what pymodbus's client refuses to send
    def raw(self, frame: bytes, quiet_s: float = 0.03) -> bytes:
        port = self.client.socket
        port.reset_input_buffer()
        port.write(frame)
        received = b""
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        last_byte_s = None
        while time.monotonic() < deadline:
            chunk = port.read(port.in_waiting or 1) if port.in_waiting else b""
            if chunk:
                received += chunk
                last_byte_s = time.monotonic()
            elif last_byte_s is not None and time.monotonic() - last_byte_s > quiet_s:
                break
            else:
                time.sleep(0.001)
        return received


@pytest.fixture
def bus(tmp_path):
    bus = Bus(tmp_path)
    yield bus
    bus.close()


def exception_of(reply_frame: bytes, unit: int, function: int) -> int:
    """Checks a raw exception reply's framing and returns its exception code."""
    assert len(reply_frame) == 5, reply_frame.hex()
    assert reply_frame[0] == unit and reply_frame[1] == function | 0x80
    assert reply_frame[3:] == crc(reply_frame[:3])
    return reply_frame[2]


def enable_operation(bus: Bus, unit: int = 1) -> None:
    for controlword in (0x0006, 0x0007, 0x000F):
        bus.write(0x6040, controlword, unit)
    assert bus.statusword(unit) & SW_STATE_MASK_LONG == 0x0027


# --- Function codes ------------------------------------------------------------------------------


def test_fc03_reads_statusword_switch_on_disabled_after_boot(bus):
    assert bus.read(0x6041) == [0x0250]  # switch on disabled + voltage enabled + remote


def test_fc03_reads_a_span_of_whole_objects(bus):
    bus.write(0x6040, 0x0006)
    error_code, controlword, statusword = bus.read(0x603F, 3)
    assert (error_code, controlword, statusword & SW_STATE_MASK_LONG) == (0, 0x0006, 0x0021)


def test_fc04_mirrors_the_holding_map(bus):
    bus.write_i32(0x607A, -123456)
    reply = bus.client.read_input_registers(0x607A, count=2, device_id=1)
    assert not reply.isError()
    assert reply.registers == bus.read(0x607A, 2)
    assert bus.client.read_input_registers(0x6041, count=1, device_id=1).registers == [0x0250]


def test_fc06_write_is_echoed_and_lands(bus):
    reply = bus.raw(with_crc(bytes([1, 0x06, 0x60, 0x40, 0x00, 0x06])))
    assert reply == with_crc(bytes([1, 0x06, 0x60, 0x40, 0x00, 0x06]))
    assert bus.get(1, 0x6040) == 6


def test_fc10_writes_32_bit_objects_high_word_first(bus):
    bus.write_multiple(0x60FF, [0xFFFF, 0xFC18])  # -1000
    assert bus.get(1, 0x60FF) == -1000
    bus.write_i32(0x6081, 0x0001_86A0)  # 100000
    assert bus.get(1, 0x6081) == 100_000
    assert bus.read(0x6081, 2) == [0x0001, 0x86A0]


def test_fc10_reply_echoes_address_and_quantity(bus):
    request = with_crc(bytes([2, 0x10, 0x60, 0x7A, 0x00, 0x02, 0x04, 0x00, 0x01, 0x00, 0x02]))
    assert bus.raw(request) == with_crc(bytes([2, 0x10, 0x60, 0x7A, 0x00, 0x02]))
    assert bus.get(2, 0x607A) == 0x0001_0002


def test_fc17_writes_before_it_reads(bus):
    reply = bus.client.readwrite_registers(read_address=0x6041, read_count=1, write_address=0x6040,
                                           values=[0x0006], device_id=1)
    assert not reply.isError()
    assert reply.registers[0] & SW_STATE_MASK_LONG == 0x0021  # already ready to switch on


def test_unsupported_function_codes_get_exception_01(bus):
    assert bus.client.read_coils(0, count=1, device_id=1).exception_code == 1
    assert bus.client.write_coil(0, True, device_id=1).exception_code == 1
    assert bus.client.mask_write_register(address=0x6040, device_id=1).exception_code == 1
    read_device_id = with_crc(bytes([1, 0x2B, 0x0E, 0x01, 0x00]))
    assert exception_of(bus.raw(read_device_id), 1, 0x2B) == 1
    diagnostics = with_crc(bytes([1, 0x08, 0x00, 0x00, 0x12, 0x34]))
    assert exception_of(bus.raw(diagnostics), 1, 0x08) == 1
    assert bus.read(0x6041) == [0x0250]  # and the framer is still in step


# --- Exception replies -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "function, body",
    [
        (0x03, bytes([0x60, 0x41, 0x00, 0x00])),  # quantity 0
        (0x03, bytes([0x60, 0x41, 0x00, 0x7E])),  # quantity 126
        (0x04, bytes([0x60, 0x41, 0x00, 0x7E])),
        (0x10, bytes([0x60, 0x40, 0x00, 0x00, 0x00])),  # quantity 0
        (0x10, bytes([0x60, 0x40, 0x00, 0x7C, 0x00])),  # quantity 124
        (0x10, bytes([0x60, 0x40, 0x00, 0x7C, 0xF8]) + bytes(248)),  # 124 with all its bytes
        (0x10, bytes([0x60, 0x40, 0x00, 0x01, 0x04, 0, 6, 0, 0])),  # byte count != 2 x quantity
        (0x17, bytes([0x60, 0x41, 0x00, 0x7E, 0x60, 0x40, 0x00, 0x01, 0x02, 0x00, 0x06])),  # read 126
        (0x17, bytes([0x60, 0x41, 0x00, 0x01, 0x60, 0x40, 0x00, 0x7A, 0x00])),  # write 122
        (0x17, bytes([0x60, 0x41, 0x00, 0x01, 0x60, 0x40, 0x00, 0x7A, 0xF4]) + bytes(244)),
        (0x17, bytes([0x60, 0x41, 0x00, 0x01, 0x60, 0x40, 0x00, 0x00, 0x00])),  # write 0
    ],
)
def test_quantity_out_of_range_gets_exception_03(bus, function, body):
    assert exception_of(bus.raw(with_crc(bytes([1, function]) + body)), 1, function) == 3
    assert bus.get(1, 0x6040) == 0  # nothing was written


@pytest.mark.parametrize(
    "address, count",
    [
        (0x6042, 1),  # unmapped
        (0x0000, 1),
        (0x6041, 2),  # runs into unmapped 0x6042
        (0x6064, 1),  # half of a 32-bit object
        (0x6065, 1),  # its low word alone
        (0x6083, 4),  # spans the overlapping 0x6083/0x6084/0x6085
        (0x6081, 4),
        (0xFFFF, 2),  # past the end of the address space
    ],
)
def test_bad_read_spans_get_exception_02(bus, address, count):
    reply = bus.client.read_holding_registers(address, count=count, device_id=1)
    assert reply.isError() and reply.exception_code == 2


def test_overlapping_ramp_objects_are_served_one_at_a_time(bus):
    bus.write_i32(0x6083, 111_111)
    bus.write_i32(0x6084, 222_222)
    bus.write_i32(0x6085, 333_333)
    assert [bus.read_i32(index) for index in (0x6083, 0x6084, 0x6085)] == [111_111, 222_222, 333_333]
    assert [bus.get(1, index) for index in (0x6083, 0x6084, 0x6085)] == [111_111, 222_222, 333_333]


def test_writes_to_read_only_objects_get_exception_02(bus):
    assert bus.client.write_register(0x6041, 6, device_id=1).exception_code == 2
    assert bus.client.write_registers(0x6064, [0, 5], device_id=1).exception_code == 2
    assert bus.client.write_register(0x603F, 1, device_id=1).exception_code == 2
    # A span touching a read-only object is refused whole: the controlword is not written.
    assert bus.client.write_registers(0x6040, [0x0006, 0], device_id=1).exception_code == 2
    assert bus.get(1, 0x6040) == 0


def test_half_a_32_bit_object_cannot_be_written(bus):
    assert bus.client.write_register(0x607A, 1, device_id=1).exception_code == 2


def test_values_the_drive_refuses_get_exception_04(bus):
    assert bus.client.write_register(0x6060, 7, device_id=1).exception_code == 4  # no such mode
    assert bus.client.write_register(0x6060, 0x0100, device_id=1).exception_code == 4  # not an i8
    assert bus.client.write_registers(0x6083, [0, 0], device_id=1).exception_code == 4  # zero ramp
    assert bus.get(1, 0x6060) == 0 and bus.get(1, 0x6083) == 100_000


def test_address_errors_take_precedence_over_refused_values(bus):
    # Mode 7 would be refused (04), but 0x6061 in the same span is read-only (02) and the
    # standard checks addresses before it tries the write.
    assert bus.client.write_registers(0x6060, [7, 3], device_id=1).exception_code == 2
    reply = bus.client.readwrite_registers(read_address=0x6042, read_count=1, write_address=0x6060,
                                           values=[7], device_id=1)
    assert reply.exception_code == 2


def test_fc17_refused_read_span_writes_nothing(bus):
    reply = bus.client.readwrite_registers(read_address=0x6042, read_count=1, write_address=0x6040,
                                           values=[0x0006], device_id=1)
    assert reply.exception_code == 2
    assert bus.get(1, 0x6040) == 0


def test_mode_minus_one_travels_sign_extended(bus):
    reply = bus.client.write_register(0x6060, 0xFFFF, device_id=1)
    assert reply.exception_code == 4  # -1 is a valid i8 but not a mode this drive has
    bus.write(0x6060, 3)
    assert bus.read(0x6060, 2) == [3, 3]  # modes of operation, and its display


# --- Line behaviour ------------------------------------------------------------------------------


def test_bad_crc_request_gets_no_reply_and_the_next_one_does(bus):
    request = bytearray(with_crc(bytes([1, 0x03, 0x60, 0x41, 0x00, 0x01])))
    request[-1] ^= 0x55
    assert bus.raw(bytes(request)) == b""
    assert bus.read(0x6041) == [0x0250]


def test_half_a_frame_is_dropped_after_line_silence(bus):
    bus.client.socket.write(bytes([1, 0x03, 0x60]))
    time.sleep(0.05)
    assert bus.read(0x6041) == [0x0250]


def test_unserved_unit_gets_no_reply(bus):
    with pytest.raises(ModbusIOException):
        bus.client.read_holding_registers(0x6041, count=1, device_id=9)


def test_broadcast_write_lands_on_every_unit_without_reply(bus):
    request = with_crc(bytes([0, 0x10, 0x60, 0xFF, 0x00, 0x02, 0x04, 0x00, 0x00, 0x01, 0xF4]))
    assert bus.raw(request) == b""
    assert [bus.get(unit, 0x60FF) for unit in (1, 2, 3)] == [500, 500, 500]


def test_silent_unit_stops_answering_and_comes_back(bus):
    bus.command("silent 2 on")
    with pytest.raises(ModbusIOException):
        bus.client.read_holding_registers(0x6041, count=1, device_id=2)
    assert bus.read(0x6041, unit=1) == [0x0250]  # its neighbours still answer
    bus.command("silent 2 off")
    assert bus.read(0x6041, unit=2) == [0x0250]


def test_corrupt_sends_the_next_replies_with_a_wrong_crc(bus):
    bus.command("corrupt 2")
    request = with_crc(bytes([1, 0x03, 0x60, 0x41, 0x00, 0x01]))
    for _ in range(2):
        reply = bus.raw(request)
        assert reply[:5] == bytes([1, 0x03, 0x02, 0x02, 0x50])  # data intact...
        assert len(reply) == 7 and reply[5:] != crc(reply[:5])  # ...CRC wrong
    assert bus.raw(request) == with_crc(bytes([1, 0x03, 0x02, 0x02, 0x50]))


def test_corrupted_reply_is_a_timeout_for_pymodbus(bus):
    bus.command("corrupt 1")
    with pytest.raises(ModbusIOException):
        bus.client.read_holding_registers(0x6041, count=1, device_id=1)
    assert bus.read(0x6041) == [0x0250]


def test_garble_truncates_the_next_replies(bus):
    bus.command("garble 1")
    request = with_crc(bytes([3, 0x03, 0x60, 0x41, 0x00, 0x01]))
    assert bus.raw(request) == bytes([3, 0x03, 0x02, 0x02])
    assert bus.raw(request) == with_crc(bytes([3, 0x03, 0x02, 0x02, 0x50]))


def test_commands_report_errors(bus):
    for line in ("get 7 0x6041", "get 1 0x1234", "silent 1 maybe", "fault 1 0", "frobnicate"):
        bus.peer.stdin.write(line + "\n")
        bus.peer.stdin.flush()
        assert bus.peer.stdout.readline().startswith("error: "), line


def test_quit_ends_the_peer(bus):
    assert bus.command("quit") == []
    assert bus.peer.wait(timeout=2) == 0


def test_peer_accepts_even_parity_on_a_pty(tmp_path):
    # Linux ptys refuse PARENB, so both ends run without parity; the option must still work.
    bus = Bus(tmp_path, units="5", parity="E")
    try:
        assert bus.read(0x6041, unit=5) == [0x0250]
    finally:
        bus.close()


# --- The CiA 402 power state machine -------------------------------------------------------------


def test_state_walk_up_and_down(bus):
    steps = [
        (0x0006, SW_STATE_MASK_LONG, 0x0021),  # shutdown -> ready to switch on
        (0x0007, SW_STATE_MASK_LONG, 0x0023),  # switch on -> switched on
        (0x000F, SW_STATE_MASK_LONG, 0x0027),  # enable operation -> operation enabled
        (0x0007, SW_STATE_MASK_LONG, 0x0023),  # disable operation -> switched on
        (0x0006, SW_STATE_MASK_LONG, 0x0021),  # shutdown -> ready to switch on
        (0x0000, SW_STATE_MASK_SHORT, 0x0040),  # disable voltage -> switch on disabled
    ]
    for controlword, mask, state in steps:
        bus.write(0x6040, controlword)
        statusword = bus.statusword()
        assert statusword & mask == state, (hex(controlword), hex(statusword))
        assert statusword & 0x0210 == 0x0210  # voltage enabled, remote


def test_enable_operation_from_ready_to_switch_on_passes_through_switched_on(bus):
    bus.write(0x6040, 0x0006)
    bus.write(0x6040, 0x000F)
    assert bus.statusword() & SW_STATE_MASK_LONG == 0x0027


def test_switch_on_disabled_ignores_commands_other_than_shutdown(bus):
    for controlword in (0x0007, 0x000F):
        bus.write(0x6040, controlword)
        assert bus.statusword() & SW_STATE_MASK_SHORT == 0x0040


def test_quick_stop_brakes_then_disables(bus):
    bus.write(0x6060, 3)
    bus.write_i32(0x60FF, 20_000)
    enable_operation(bus)
    wait_until(lambda: bus.read_i32(0x606C) == 20_000)
    bus.write_i32(0x6085, 100_000)  # 0.2 s to stop: slow enough to see quick stop active
    bus.write(0x6040, 0x000B)  # quick stop
    assert bus.statusword() & SW_STATE_MASK_LONG == 0x0007
    wait_until(lambda: bus.statusword() & SW_STATE_MASK_SHORT == 0x0040)
    assert bus.read_i32(0x606C) == 0


def test_fault_then_reset_on_the_rising_edge_of_bit_7(bus):
    enable_operation(bus)
    bus.command("fault 1 0x2310")
    assert bus.statusword() & SW_STATE_MASK_SHORT == 0x0008
    assert bus.read(0x603F) == [0x2310]
    bus.write(0x6040, 0x0080)
    assert bus.statusword() & SW_STATE_MASK_SHORT == 0x0040
    assert bus.read(0x603F) == [0]


def test_fault_reset_needs_an_edge_not_a_level(bus):
    bus.write(0x6040, 0x0080)  # bit 7 already high before the fault
    bus.command("fault 1 8961")
    bus.write(0x6040, 0x0080)
    assert bus.statusword() & SW_STATE_MASK_SHORT == 0x0008
    bus.write(0x6040, 0x0000)
    assert bus.statusword() & SW_STATE_MASK_SHORT == 0x0008
    bus.write(0x6040, 0x0080)
    assert bus.statusword() & SW_STATE_MASK_SHORT == 0x0040


def test_fault_while_moving_passes_through_fault_reaction_active(bus):
    bus.write(0x6060, 3)
    bus.write_i32(0x60FF, 20_000)
    bus.write_i32(0x6085, 100_000)
    enable_operation(bus)
    wait_until(lambda: bus.read_i32(0x606C) == 20_000)
    bus.command("fault 1 0x7500")
    assert bus.statusword() & SW_STATE_MASK_SHORT == 0x000F
    wait_until(lambda: bus.statusword() & SW_STATE_MASK_SHORT == 0x0008)
    assert bus.read_i32(0x606C) == 0


# --- Motion --------------------------------------------------------------------------------------


def test_profile_velocity_ramps_to_target_and_reports_it(bus):
    bus.write(0x6060, 3)
    bus.write_i32(0x6083, 200_000)
    bus.write_i32(0x60FF, -10_000)
    enable_operation(bus)
    wait_until(lambda: bus.read_i32(0x606C) == -10_000)
    assert bus.statusword() & (1 << 10)  # target reached
    position_counts = bus.read_i32(0x6064)
    wait_until(lambda: bus.read_i32(0x6064) < position_counts - 100)
    bus.write(0x6040, 0x010F)  # halt
    wait_until(lambda: bus.read_i32(0x606C) == 0)
    assert bus.statusword() & (1 << 12)  # speed = 0


def test_velocity_decays_outside_operation_enabled(bus):
    bus.write(0x6060, 3)
    bus.write_i32(0x60FF, 5_000)
    enable_operation(bus)
    wait_until(lambda: bus.read_i32(0x606C) == 5_000)
    bus.write(0x6040, 0x0007)  # disable operation
    wait_until(lambda: bus.read_i32(0x606C) == 0)


def test_current_rises_with_acceleration_and_hits_the_limit(bus):
    bus.write(0x6060, 3)
    bus.write_i32(0x6083, 1_000_000)
    bus.write_i32(0x60FF, 1_000_000)
    bus.write(0x6073, 300)
    enable_operation(bus)
    statusword = bus.statusword()
    current_per_mille = bus.read(0x6078)[0]
    assert current_per_mille == 300 and statusword & (1 << 11)  # internal limit active


def test_profile_position_move_with_set_point_handshake(bus):
    bus.write(0x6060, 1)
    bus.write_i32(0x6081, 50_000)
    bus.write_i32(0x6083, 500_000)
    bus.write_i32(0x6084, 500_000)
    bus.write_i32(0x607A, 2_000)
    enable_operation(bus)
    bus.write(0x6040, 0x001F)  # new set-point
    statusword = bus.statusword()
    assert statusword & (1 << 12)  # set-point acknowledged
    assert not statusword & (1 << 10)  # moving, not there yet
    bus.write(0x6040, 0x000F)
    assert not bus.statusword() & (1 << 12)  # ready for the next one
    wait_until(lambda: bus.statusword() & (1 << 10))
    assert bus.read_i32(0x6064) == 2_000 and bus.read_i32(0x606C) == 0
