#!/usr/bin/env python3
"""A Modbus RTU test peer that behaves like a bus of CiA 402 motor drives.

    python3 Tests/Peers/cia402_peer.py --port PATH [--baud 115200] [--parity N|E|O] [--units 1,2]
                                       [--frame-gap-ms 10]

It is the independent implementation our Swift Modbus RTU client is tested against: RTU framing
and CRC are pymodbus's; request handling, the register map (cia402_registers.py) and the drive
(cia402_drive.py) are written from the Modbus Application Protocol v1.1b3, Modbus over serial
line v1.02 and CiA 402 / IEC 61800-7-201, not from our client.

Protocol on stdin/stdout (one command per line; every command answered by `ok` or `error: ...`):
    silent UNIT on|off     the unit stops answering entirely / answers again
    corrupt N              the next N replies (any unit) go out with a wrong CRC
    garble N               the next N replies lose their last 3 bytes
    fault UNIT CODE        the drive faults with error code CODE (0x.. or decimal) in 0x603F
    get UNIT INDEX         prints `value N` (signed for signed objects), then `ok`
    quit                   answers `ok` and exits; EOF on stdin does the same, silently
`READY` is printed once the port is open, requests are served and the drives have finished
booting (Switch on disabled). pymodbus logs go to stderr.

Modbus behaviour (what a strict drive does):
- Function codes 0x03, 0x04 (same map, read-only), 0x06, 0x10, 0x17 (write, then read). Every
  other function code gets exception 01. Quantities outside 0x03/0x04: 1..125, 0x10: 1..123,
  0x17: read 1..125 / write 1..121, or a byte count that does not match, get exception 03.
  Address problems get exception 02, values the drive refuses get exception 04 (see
  cia402_registers.py for the exact span rules).
- Units not in --units, and silent units, never answer. Unit 0 is broadcast: writes are applied
  by every answering unit and nobody replies; broadcast reads are ignored.
- A frame with a bad CRC is dropped without a reply (serial line spec 2.5.1.2).
- Bytes of an unfinished frame are dropped after --frame-gap-ms of line silence (default 10 ms): a
  pty has no character timing, so this stands in for t3.5 (1.75 ms at 115200) with room for
  scheduling. An emulated UART (qemu under TCG) can pause mid-frame for longer; give it more.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import termios
import threading
import time

import serial

from pymodbus.datastore import ModbusServerContext
from pymodbus.exceptions import NoSuchIdException
from pymodbus.framer import FramerType
from pymodbus.server import ModbusSerialServer
from pymodbus.server.requesthandler import ServerRequestHandler

from cia402_drive import BOOT_TIME_S, Cia402Drive
from cia402_objects import OBJECT_SPECS
from modbus_requests import PEER_REQUESTS

TICK_S = 0.002  # background integration period; reads also catch the drive up to "now"
DEFAULT_FRAME_GAP_MS = 10.0
GARBLE_DROP_BYTES = 3


# --- The drives on the bus ----------------------------------------------------------------


class DriveBus(ModbusServerContext):
    """Every simulated drive, by unit address, as the pymodbus server's context.

    Subclasses ModbusServerContext only to pass pymodbus's type check; its constructor is not
    called because it builds a deprecated datastore we do not use. `old_simulator = True` makes
    pymodbus hand this object to our request classes as it is.
    """

    def __init__(self, units: list[int]) -> None:  # pylint: disable=super-init-not-called
        now_s = time.monotonic()
        self.drives = {unit: Cia402Drive(now_s) for unit in units}
        self.silent_units: set[int] = set()
        self.old_simulator = True
        self.simdevices = []

    def device_ids(self) -> list[int]:
        """Units that take part in a broadcast: served and not silent."""
        return [unit for unit in self.drives if unit not in self.silent_units]

    def drive_for(self, unit: int) -> Cia402Drive:
        """The unit's drive, caught up to now; NoSuchIdException (no reply) if it must not answer."""
        if unit not in self.drives or unit in self.silent_units:
            raise NoSuchIdException(f"unit {unit} does not answer")
        drive = self.drives[unit]
        drive.advance(time.monotonic())
        return drive

    def advance_all(self) -> None:
        now_s = time.monotonic()
        for drive in self.drives.values():
            drive.advance(now_s)


class LineFaults:
    """Damage injected into outgoing replies, counted down per reply."""

    def __init__(self) -> None:
        self.corrupt_replies = 0
        self.garble_replies = 0

    def trace_packet(self, sending: bool, packet: bytes) -> bytes:
        """pymodbus calls this with every packet; we only touch replies going out."""
        if not sending:
            return packet
        if self.corrupt_replies > 0:
            self.corrupt_replies -= 1
            return packet[:-2] + bytes([packet[-2] ^ 0xFF, packet[-1] ^ 0xFF])
        if self.garble_replies > 0:
            self.garble_replies -= 1
            return packet[: max(1, len(packet) - GARBLE_DROP_BYTES)]
        return packet


class PeerRequestHandler(ServerRequestHandler):
    """pymodbus's handler, plus: a half frame followed by line silence is thrown away."""

    def __init__(self, owner, *args) -> None:
        super().__init__(owner, *args)
        self.last_receive_s = 0.0
        self.stale_frame_gap_s = owner.stale_frame_gap_s

    def datagram_received(self, data: bytes, addr) -> None:
        now_s = time.monotonic()
        if self.recv_buffer and now_s - self.last_receive_s > self.stale_frame_gap_s:
            print(f"cia402_peer: dropped stale partial frame {self.recv_buffer.hex()}", file=sys.stderr)
            self.recv_buffer = b""
        self.last_receive_s = now_s
        super().datagram_received(data, addr)


class PeerSerialServer(ModbusSerialServer):
    stale_frame_gap_s = DEFAULT_FRAME_GAP_MS / 1000

    def callback_new_connection(self):
        return PeerRequestHandler(self, self.trace_packet, self.trace_pdu, self.trace_connect)


# --- Test control on stdin -------------------------------------------------------------------


def run_command(line: str, bus: DriveBus, faults: LineFaults) -> list[str]:
    """Executes one stdin command on the event loop's thread; returns the lines to print."""
    words = line.split()
    try:
        if not words:
            raise ValueError("empty command")
        verb, args = words[0], words[1:]
        if verb == "silent" and len(args) == 2 and args[1] in ("on", "off"):
            unit = served_unit(bus, args[0])
            if args[1] == "on":
                bus.silent_units.add(unit)
            else:
                bus.silent_units.discard(unit)
            return ["ok"]
        if verb in ("corrupt", "garble") and len(args) == 1:
            count = parse_number(args[0], 0, 1_000_000)
            if verb == "corrupt":
                faults.corrupt_replies = count
            else:
                faults.garble_replies = count
            return ["ok"]
        if verb == "fault" and len(args) == 2:
            unit = served_unit(bus, args[0])
            code = parse_number(args[1], 1, 0xFFFF)
            bus.drives[unit].advance(time.monotonic())
            bus.drives[unit].inject_fault(code)
            return ["ok"]
        if verb == "get" and len(args) == 2:
            unit = served_unit(bus, args[0])
            index = parse_number(args[1], 0, 0xFFFF)
            if index not in OBJECT_SPECS:
                raise ValueError(f"object 0x{index:04X} is not in the map")
            drive = bus.drives[unit]
            drive.advance(time.monotonic())
            return [f"value {drive.read_object(index)}", "ok"]
        if verb == "quit" and not args:
            return ["ok"]
        raise ValueError(f"unknown command or wrong arguments: {line.strip()!r}")
    except ValueError as error:
        return [f"error: {error}"]


def parse_number(text: str, low: int, high: int) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not low <= value <= high:
        raise ValueError(f"{text} is outside {low}..{high}")
    return value


def served_unit(bus: DriveBus, text: str) -> int:
    unit = parse_number(text, 0, 255)
    if unit not in bus.drives:
        raise ValueError(f"unit {unit} is not served (served: {sorted(bus.drives)})")
    return unit


def read_commands(loop: asyncio.AbstractEventLoop, bus: DriveBus, faults: LineFaults,
                  stop: asyncio.Event) -> None:
    """Stdin reader thread. Commands run on the loop, so drives are never touched concurrently."""

    async def on_loop(line: str) -> list[str]:
        return run_command(line, bus, faults)

    for line in sys.stdin:
        replies = asyncio.run_coroutine_threadsafe(on_loop(line), loop).result()
        for reply in replies:
            print(reply)
        sys.stdout.flush()
        if line.strip() == "quit":
            break
    loop.call_soon_threadsafe(stop.set)  # quit or EOF: the peer never outlives its parent


# --- Main ----------------------------------------------------------------------------------------


def line_parity(port: str, parity: str) -> str:
    """The parity to open `port` with. Linux ptys refuse PARENB (EINVAL) and carry no parity
    bits anyway, so on a pty E/O falls back to N; on a real port a refusal is an error."""
    if parity == "N" or not os.path.realpath(port).startswith("/dev/pts/"):
        return parity
    try:
        with serial.Serial(port, parity=parity, stopbits=1) as probe:
            probe.timeout = 0  # pyserial reapplies termios here; that is where a pty says EINVAL
        return parity
    except (serial.SerialException, termios.error):
        print(f"cia402_peer: {port} is a pty and has no parity; serving with parity N",
              file=sys.stderr)
        return "N"


async def serve(args: argparse.Namespace) -> int:
    bus = DriveBus(args.units)
    faults = LineFaults()
    parity = line_parity(args.port, args.parity)
    server = PeerSerialServer(
        bus,
        framer=FramerType.RTU,
        port=args.port,
        baudrate=args.baud,
        parity=parity,
        bytesize=8,
        stopbits=2 if parity == "N" else 1,  # serial line spec: 11 bits per character
        ignore_missing_devices=True,
        broadcast_enable=True,
        trace_packet=faults.trace_packet,
        custom_pdu=PEER_REQUESTS,
    )
    server.stale_frame_gap_s = args.frame_gap_ms / 1000
    try:
        await server.serve_forever(background=True)
    except RuntimeError as error:
        print(f"cia402_peer: cannot open {args.port}: {error}", file=sys.stderr)
        return 2

    async def tick() -> None:
        while True:
            bus.advance_all()
            await asyncio.sleep(TICK_S)

    ticker = asyncio.create_task(tick())
    # Drives power up in Not ready to switch on; READY means they reached Switch on disabled,
    # so every client starts from the same state.
    await asyncio.sleep(BOOT_TIME_S + 2 * TICK_S)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    threading.Thread(target=read_commands, args=(loop, bus, faults, stop), daemon=True).start()
    print(f"cia402_peer: units {args.units} on {args.port}, {args.baud} baud, parity {parity}",
          file=sys.stderr)
    print("READY", flush=True)
    await stop.wait()
    ticker.cancel()
    await server.shutdown()
    return 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Modbus RTU peer simulating CiA 402 drives.")
    parser.add_argument("--port", required=True, help="serial device, e.g. one end of a socat pty pair")
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument("--parity", choices=["N", "E", "O"], default="N")
    parser.add_argument("--units", default="1", help="comma-separated unit addresses, 1..247")
    parser.add_argument("--frame-gap-ms", type=float, default=DEFAULT_FRAME_GAP_MS,
                        help="line silence after which a half-received frame is dropped")
    args = parser.parse_args(argv)
    try:
        args.units = sorted({int(unit, 0) for unit in args.units.split(",")})
    except ValueError:
        parser.error(f"--units {args.units!r}: expected numbers like 1,2,3")
    if not all(1 <= unit <= 247 for unit in args.units):
        parser.error("--units: unit addresses are 1..247 (0 is broadcast)")
    if args.frame_gap_ms <= 0:
        parser.error("--frame-gap-ms: must be more than 0")
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(serve(parse_args(sys.argv[1:]))))
