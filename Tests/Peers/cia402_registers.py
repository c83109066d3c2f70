"""The "cia402-direct" register profile: Modbus register address == CiA 402 object index.

16-bit and 8-bit objects take one register; 32-bit objects take two, HIGH WORD FIRST, at
`index` and `index + 1`. 8-bit objects (0x6060, 0x6061) travel sign-extended to 16 bits
(mode -1 is 0xFFFF); a register value that is not a sign-extended 8-bit value is refused.

Where the profile collides with itself: 0x6083, 0x6084 and 0x6085 are consecutive indices, but
0x6083 and 0x6084 are 32-bit, so register 0x6084 is both the low word of 0x6083 and the high
word of 0x6084 (and 0x6085 likewise). A plain register file cannot serve both, so:
- an access that covers exactly one object (start == index, quantity == its size) is always
  served, so each of the three is read and written alone at its own index with quantity 2;
- a multi-object span that touches a contested register (0x6084, 0x6085) is refused with
  exception 02, rather than guessing which object the master meant.

Other span rules: a span must start on an object index, walk object after object without gaps
and end on an object boundary. Unmapped registers, and spans that cut a 32-bit object in half,
are refused with exception 02. Writes to read-only objects are refused with exception 02 (the
address is not an allowable address for a write); values the drive refuses get exception 04.
Spans are checked whole before anything is written, so a refused write changes nothing.
"""

from __future__ import annotations

from cia402_drive import Cia402Drive, ObjectWriteRejected
from cia402_objects import OBJECT_SPECS

ILLEGAL_FUNCTION = 0x01
ILLEGAL_DATA_ADDRESS = 0x02
ILLEGAL_DATA_VALUE = 0x03
SERVER_DEVICE_FAILURE = 0x04


class ModbusExceptionReply(Exception):
    """The request is answered with Modbus exception `code` (Application Protocol, section 7)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def register_count(index: int) -> int:
    return 2 if OBJECT_SPECS[index].kind in ("u32", "i32") else 1


def _contested_registers() -> set[int]:
    """Registers that lie inside more than one object's register range."""
    owners: dict[int, int] = {}
    for index in OBJECT_SPECS:
        for address in range(index, index + register_count(index)):
            owners[address] = owners.get(address, 0) + 1
    return {address for address, count in owners.items() if count > 1}


CONTESTED_REGISTERS = _contested_registers()


def objects_in_span(start: int, quantity: int) -> list[int]:
    """The object indices a register span covers, in order; raises exception 02 if it is not a
    clean, unambiguous span of whole objects."""
    end = start + quantity
    if end > 0x10000:
        raise ModbusExceptionReply(ILLEGAL_DATA_ADDRESS, "span runs past register 0xFFFF")
    if start in OBJECT_SPECS and quantity == register_count(start):
        return [start]  # exactly one object: never ambiguous
    indices = []
    address = start
    while address < end:
        if address not in OBJECT_SPECS:
            raise ModbusExceptionReply(
                ILLEGAL_DATA_ADDRESS, f"register 0x{address:04X} is not an object index"
            )
        size = register_count(address)
        if address + size > end:
            raise ModbusExceptionReply(
                ILLEGAL_DATA_ADDRESS, f"span splits 32-bit object 0x{address:04X}"
            )
        indices.append(address)
        address += size
    contested = CONTESTED_REGISTERS.intersection(range(start, end))
    if contested:
        raise ModbusExceptionReply(
            ILLEGAL_DATA_ADDRESS,
            "0x6083, 0x6084 and 0x6085 overlap in cia402-direct: access them one at a time",
        )
    return indices


def encode_object(index: int, value: int) -> list[int]:
    """An object's value as its registers (high word first)."""
    if register_count(index) == 2:
        raw = value & 0xFFFF_FFFF
        return [raw >> 16, raw & 0xFFFF]
    return [value & 0xFFFF]


def decode_object(index: int, registers: list[int]) -> int:
    """Registers back to the object's typed value; raises exception 04 for an i8 register that
    is not sign-extended."""
    kind = OBJECT_SPECS[index].kind
    if kind in ("u32", "i32"):
        raw = (registers[0] << 16) | registers[1]
        return raw - 0x1_0000_0000 if kind == "i32" and raw & 0x8000_0000 else raw
    raw = registers[0]
    if kind == "u16":
        return raw
    signed = raw - 0x1_0000 if raw & 0x8000 else raw
    if kind == "i8" and not -0x80 <= signed <= 0x7F:
        raise ModbusExceptionReply(
            SERVER_DEVICE_FAILURE, f"0x{raw:04X} is not a sign-extended 8-bit value"
        )
    return signed


def read_registers(drive: Cia402Drive, start: int, quantity: int) -> list[int]:
    registers: list[int] = []
    for index in objects_in_span(start, quantity):
        registers.extend(encode_object(index, drive.read_object(index)))
    return registers


def check_write_span(drive: Cia402Drive, start: int, registers: list[int]) -> list[tuple[int, int]]:
    """Checks a whole write without changing anything; returns (index, value) pairs to apply.

    Every address check (exception 02) comes before any value check (exception 04), in the
    order of the standard's request-processing diagrams.
    """
    indices = objects_in_span(start, len(registers))
    for index in indices:
        if not OBJECT_SPECS[index].writable:
            raise ModbusExceptionReply(
                ILLEGAL_DATA_ADDRESS, f"0x{index:04X} ({OBJECT_SPECS[index].name}) is read-only"
            )
    writes = []
    offset = 0
    for index in indices:
        size = register_count(index)
        value = decode_object(index, registers[offset : offset + size])
        try:
            drive.check_write(index, value)
        except ObjectWriteRejected as rejected:
            raise ModbusExceptionReply(SERVER_DEVICE_FAILURE, str(rejected)) from None
        writes.append((index, value))
        offset += size
    return writes


def apply_writes(drive: Cia402Drive, writes: list[tuple[int, int]]) -> None:
    """Applies writes checked by check_write_span, in ascending address order."""
    for index, value in writes:
        drive.write_object(index, value)
