"""The CiA 402 objects our simulated drive has: index, type, access, default value.

The subset of CiA 402-2 / IEC 61800-7-201 the EOAT uses. Types are the standard's (INTEGER8 is
"i8", UNSIGNED32 is "u32", ...); access follows the standard (actual values, the statusword,
the error code and the modes display are read-only).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectSpec:
    index: int
    name: str
    kind: str  # "i8", "u16", "i16", "u32", "i32"
    writable: bool


OBJECT_SPECS: dict[int, ObjectSpec] = {
    spec.index: spec
    for spec in [
        ObjectSpec(0x603F, "error code", "u16", writable=False),
        ObjectSpec(0x6040, "controlword", "u16", writable=True),
        ObjectSpec(0x6041, "statusword", "u16", writable=False),
        ObjectSpec(0x6060, "modes of operation", "i8", writable=True),
        ObjectSpec(0x6061, "modes of operation display", "i8", writable=False),
        ObjectSpec(0x6064, "position actual value", "i32", writable=False),
        ObjectSpec(0x606C, "velocity actual value", "i32", writable=False),
        ObjectSpec(0x6073, "max current", "u16", writable=True),
        ObjectSpec(0x6078, "current actual value", "i16", writable=False),
        ObjectSpec(0x607A, "target position", "i32", writable=True),
        ObjectSpec(0x6081, "profile velocity", "u32", writable=True),
        ObjectSpec(0x6083, "profile acceleration", "u32", writable=True),
        ObjectSpec(0x6084, "profile deceleration", "u32", writable=True),
        ObjectSpec(0x6085, "quick stop deceleration", "u32", writable=True),
        ObjectSpec(0x60FF, "target velocity", "i32", writable=True),
    ]
}

VALUE_RANGES = {
    "i8": (-0x80, 0x7F),
    "u16": (0, 0xFFFF),
    "i16": (-0x8000, 0x7FFF),
    "u32": (0, 0xFFFF_FFFF),
    "i32": (-0x8000_0000, 0x7FFF_FFFF),
}

MODE_NONE = 0
MODE_PROFILE_POSITION = 1
MODE_PROFILE_VELOCITY = 3
SUPPORTED_MODES = (MODE_NONE, MODE_PROFILE_POSITION, MODE_PROFILE_VELOCITY)

# Objects that must never be zero: a zero ramp would leave the motor unable to stop.
NONZERO_OBJECTS = (0x6083, 0x6084, 0x6085)

DEFAULT_VALUES = {
    0x6060: MODE_NONE,
    0x6073: 1500,  # per mille of rated current
    0x607A: 0,
    0x60FF: 0,
    0x6081: 10_000,  # counts/s
    0x6083: 100_000,  # counts/s^2
    0x6084: 100_000,  # counts/s^2
    0x6085: 1_000_000,  # counts/s^2: quick stop brakes harder than a profile ramp
}
