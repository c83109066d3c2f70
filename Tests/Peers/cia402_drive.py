"""One simulated CiA 402 drive: object dictionary, power state machine, motion.

Written from CiA 402-2 / IEC 61800-7-201 (the drive profile), not from our Swift client, so the
client can be tested against an independent reading of the standard.

This module holds no clock and does no I/O: every call that depends on time takes `now_s`
(seconds on any monotonic clock). The Modbus peer (cia402_peer.py) owns the clock and the wire.

Choices where the standard leaves room (the peer's README-style header repeats them):
- Statusword bit 4 (voltage enabled) is 1 in every state after boot: the simulated DC bus is
  always powered. Bit 5 (quick stop, active low) is 1 only in Ready to switch on, Switched on and
  Operation enabled. Bit 9 (remote) is always 1. Bit 7 (warning) and bit 13 are always 0.
- Quick stop option code behaves as 2 (0x605A = 2): decelerate with 0x6085, then Switch on
  disabled. Fault reaction behaves as 0x605E = 2: decelerate with 0x6085, then Fault.
- Disable operation / shutdown / disable voltage change state at once; the motor then brakes at
  profile deceleration (0x6084) outside Operation enabled. Set-points are dropped on leaving
  Operation enabled.
- Fault reset is the rising edge of controlword bit 7 and works only in Fault; outside Fault
  bit 7 is ignored and the other bits are decoded as usual.
- "Switch on + enable operation" (xxxx 1111) from Ready to switch on goes straight to Operation
  enabled (transitions 3 + 4, as the standard's command table says).
"""

from __future__ import annotations

import math

from cia402_objects import (
    DEFAULT_VALUES,
    MODE_PROFILE_POSITION,
    MODE_PROFILE_VELOCITY,
    NONZERO_OBJECTS,
    OBJECT_SPECS,
    SUPPORTED_MODES,
    VALUE_RANGES,
)

# --- States and statusword (CiA 402-2, statusword state coding) ------------------------------

NOT_READY_TO_SWITCH_ON = "not ready to switch on"
SWITCH_ON_DISABLED = "switch on disabled"
READY_TO_SWITCH_ON = "ready to switch on"
SWITCHED_ON = "switched on"
OPERATION_ENABLED = "operation enabled"
QUICK_STOP_ACTIVE = "quick stop active"
FAULT_REACTION_ACTIVE = "fault reaction active"
FAULT = "fault"

# Bits 0,1,2,3,5,6 of the statusword for each state; the standard's masks (0x4F / 0x6F) pick the
# bits a master must look at.
STATE_BITS = {
    NOT_READY_TO_SWITCH_ON: 0x0000,
    SWITCH_ON_DISABLED: 0x0040,
    READY_TO_SWITCH_ON: 0x0021,
    SWITCHED_ON: 0x0023,
    OPERATION_ENABLED: 0x0027,
    QUICK_STOP_ACTIVE: 0x0007,
    FAULT_REACTION_ACTIVE: 0x000F,
    FAULT: 0x0008,
}

SW_VOLTAGE_ENABLED = 1 << 4
SW_REMOTE = 1 << 9
SW_TARGET_REACHED = 1 << 10
SW_INTERNAL_LIMIT = 1 << 11
SW_BIT12 = 1 << 12  # profile position: set-point acknowledge; profile velocity: speed == 0

CW_SWITCH_ON = 1 << 0
CW_ENABLE_VOLTAGE = 1 << 1
CW_QUICK_STOP = 1 << 2  # active low: 0 commands a quick stop
CW_ENABLE_OPERATION = 1 << 3
CW_NEW_SET_POINT = 1 << 4
CW_CHANGE_SET_IMMEDIATELY = 1 << 5
CW_RELATIVE = 1 << 6
CW_FAULT_RESET = 1 << 7
CW_HALT = 1 << 8

BOOT_TIME_S = 0.05  # Not ready to switch on lasts this long after power-up (transition 1).
MAX_STEP_S = 0.001  # integration sub-step
# Stands in for 0x606D velocity window / 0x606F velocity threshold (not in the map): what counts
# as "at target velocity" and "speed = 0" in the statusword.
VELOCITY_WINDOW_COUNTS_PER_S = 1.0

# A simple current model, in per mille of rated current: inertia + viscous + Coulomb friction.
CURRENT_PER_MILLE_PER_COUNT_PER_S2 = 0.002
CURRENT_PER_MILLE_PER_COUNT_PER_S = 0.005
FRICTION_CURRENT_PER_MILLE = 30.0

# States in which the power stage drives the motor (current flows).
POWERED_STATES = (OPERATION_ENABLED, QUICK_STOP_ACTIVE, FAULT_REACTION_ACTIVE)


class ObjectWriteRejected(Exception):
    """The drive refuses a value (the Modbus layer answers exception 04)."""


class Cia402Drive:
    """One axis. Values are in drive units: counts, counts/s, counts/s^2, per mille."""

    def __init__(self, now_s: float) -> None:
        self.state = NOT_READY_TO_SWITCH_ON
        self.boot_done_s = now_s + BOOT_TIME_S
        self.last_advance_s = now_s
        self.values: dict[int, int] = dict(DEFAULT_VALUES)
        self.controlword = 0
        self.error_code = 0
        self.position_counts = 0.0
        self.velocity_counts_per_s = 0.0
        self.current_per_mille = 0.0
        self.current_limited = False
        # Profile position set-points: the move in progress and one buffered behind it.
        self.active_target_counts: int | None = None
        self.pending_target_counts: int | None = None
        self.last_accepted_target_counts: int | None = None
        self.set_point_acknowledged = False

    # --- Object access (Modbus side) -----------------------------------------------------

    def read_object(self, index: int) -> int:
        """The object's value as its type reads it (signed types come back signed)."""
        if index == 0x6041:
            return self.statusword()
        if index == 0x6040:
            return self.controlword
        if index == 0x603F:
            return self.error_code
        if index == 0x6061:
            return self.values[0x6060]
        if index == 0x6064:
            return wrap_i32(math.floor(self.position_counts + 0.5))
        if index == 0x606C:
            return wrap_i32(math.floor(self.velocity_counts_per_s + 0.5))
        if index == 0x6078:
            return int(round(self.current_per_mille))
        return self.values[index]

    def check_write(self, index: int, value: int) -> None:
        """Raises ObjectWriteRejected if `value` may not be written to `index`.

        Access rights (read-only objects) are the register layer's business: it answers those
        with exception 02 before asking here.
        """
        spec = OBJECT_SPECS[index]
        low, high = VALUE_RANGES[spec.kind]
        if not low <= value <= high:
            raise ObjectWriteRejected(f"{value} is outside {spec.kind} for 0x{index:04X}")
        if index == 0x6060 and value not in SUPPORTED_MODES:
            raise ObjectWriteRejected(f"mode {value} not supported (supported: 0, 1, 3)")
        if index in NONZERO_OBJECTS and value == 0:
            raise ObjectWriteRejected(f"0x{index:04X} ({spec.name}) must not be zero")

    def write_object(self, index: int, value: int) -> None:
        """Stores a value already accepted by check_write, with its side effects."""
        if index == 0x6040:
            self._apply_controlword(value)
            return
        if index == 0x6060 and value != self.values[0x6060]:
            # A new mode starts from rest: set-points of the old mode do not carry over.
            self.active_target_counts = None
            self.pending_target_counts = None
            self.set_point_acknowledged = False
        self.values[index] = value

    # --- Test control (stdin side) ---------------------------------------------------------

    def inject_fault(self, error_code: int) -> None:
        """A fault occurs (transition 13). A motor already at rest finishes the reaction at once."""
        self.error_code = error_code
        if self.state in (FAULT_REACTION_ACTIVE, FAULT):
            return
        self._leave_operation_enabled()
        self.state = FAULT_REACTION_ACTIVE
        if self.velocity_counts_per_s == 0.0:
            self.state = FAULT  # transition 14: nothing to brake

    # --- Time --------------------------------------------------------------------------------

    def advance(self, now_s: float) -> None:
        """Integrates motion and automatic transitions up to `now_s`, in equal sub-steps."""
        total_s = now_s - self.last_advance_s
        if total_s <= 0:
            return
        steps = max(1, math.ceil(total_s / MAX_STEP_S - 1e-9))
        step_s = total_s / steps
        for step in range(1, steps + 1):
            self._step(step_s, self.last_advance_s + step * step_s)
        self.last_advance_s = now_s

    # --- Statusword --------------------------------------------------------------------------

    def statusword(self) -> int:
        word = STATE_BITS[self.state] | SW_REMOTE
        if self.state != NOT_READY_TO_SWITCH_ON:
            word |= SW_VOLTAGE_ENABLED
        if self.current_limited:
            word |= SW_INTERNAL_LIMIT
        mode = self.values[0x6060]
        halted = bool(self.controlword & CW_HALT)
        stopped = abs(self.velocity_counts_per_s) < VELOCITY_WINDOW_COUNTS_PER_S
        if mode == MODE_PROFILE_POSITION:
            if self.set_point_acknowledged:
                word |= SW_BIT12
            if self.state == OPERATION_ENABLED:
                idle = self.active_target_counts is None and self.pending_target_counts is None
                if stopped and (halted or idle):
                    word |= SW_TARGET_REACHED
        elif mode == MODE_PROFILE_VELOCITY:
            if stopped:
                word |= SW_BIT12
            if self.state == OPERATION_ENABLED:
                goal = 0 if halted else self.values[0x60FF]
                if abs(self.velocity_counts_per_s - goal) < VELOCITY_WINDOW_COUNTS_PER_S:
                    word |= SW_TARGET_REACHED
        return word

    # --- Controlword: the power state machine ------------------------------------------------

    def _apply_controlword(self, new_word: int) -> None:
        old_word = self.controlword
        self.controlword = new_word
        fault_reset_edge = bool(new_word & CW_FAULT_RESET) and not (old_word & CW_FAULT_RESET)

        if self.state == FAULT:
            if fault_reset_edge:
                self.error_code = 0
                self.state = SWITCH_ON_DISABLED  # transition 15
            return
        if self.state in (NOT_READY_TO_SWITCH_ON, FAULT_REACTION_ACTIVE):
            return  # automatic states: the controlword has no say

        command = decode_command(new_word)
        state = self.state
        if state == SWITCH_ON_DISABLED:
            if command == "shutdown":
                self.state = READY_TO_SWITCH_ON  # 2
        elif state == READY_TO_SWITCH_ON:
            if command == "switch on":
                self.state = SWITCHED_ON  # 3
            elif command == "enable operation":
                self.state = OPERATION_ENABLED  # 3 + 4
            elif command in ("disable voltage", "quick stop"):
                self.state = SWITCH_ON_DISABLED  # 7
        elif state == SWITCHED_ON:
            if command == "enable operation":
                self.state = OPERATION_ENABLED  # 4
            elif command == "shutdown":
                self.state = READY_TO_SWITCH_ON  # 6
            elif command in ("disable voltage", "quick stop"):
                self.state = SWITCH_ON_DISABLED  # 10
        elif state == OPERATION_ENABLED:
            if command == "switch on":  # the same bits mean "disable operation" here
                self._leave_operation_enabled(SWITCHED_ON)  # 5
            elif command == "shutdown":
                self._leave_operation_enabled(READY_TO_SWITCH_ON)  # 8
            elif command == "disable voltage":
                self._leave_operation_enabled(SWITCH_ON_DISABLED)  # 9
            elif command == "quick stop":
                self._leave_operation_enabled(QUICK_STOP_ACTIVE)  # 11
        elif state == QUICK_STOP_ACTIVE:
            # Option code 2: enable operation (16) is not allowed; only disable voltage (12).
            if command == "disable voltage":
                self.state = SWITCH_ON_DISABLED

        if self.state == OPERATION_ENABLED:
            self._handle_set_point_bits(old_word, new_word)
        if not (new_word & CW_NEW_SET_POINT) and self.pending_target_counts is None:
            self.set_point_acknowledged = False

    def _leave_operation_enabled(self, next_state: str | None = None) -> None:
        self.active_target_counts = None
        self.pending_target_counts = None
        self.set_point_acknowledged = False
        if next_state is not None:
            self.state = next_state

    # --- Profile position set-points ----------------------------------------------------------

    def _handle_set_point_bits(self, old_word: int, new_word: int) -> None:
        rising = bool(new_word & CW_NEW_SET_POINT) and not (old_word & CW_NEW_SET_POINT)
        if not rising or self.values[0x6060] != MODE_PROFILE_POSITION:
            return
        if self.pending_target_counts is not None:
            return  # buffer full: not acknowledged, the master must wait for bit 12 to drop
        target = self.values[0x607A]
        if new_word & CW_RELATIVE:
            base = self.last_accepted_target_counts
            if base is None:
                base = math.floor(self.position_counts + 0.5)
            target = base + target
        self.last_accepted_target_counts = target
        if self.active_target_counts is None or new_word & CW_CHANGE_SET_IMMEDIATELY:
            self.active_target_counts = target
        else:
            self.pending_target_counts = target
        self.set_point_acknowledged = True

    # --- Motion ---------------------------------------------------------------------------------

    def _step(self, dt_s: float, now_s: float) -> None:
        if self.state == NOT_READY_TO_SWITCH_ON and now_s >= self.boot_done_s:
            self.state = SWITCH_ON_DISABLED  # transition 1

        old_velocity = self.velocity_counts_per_s
        profile_decel = float(self.values[0x6084])
        if self.state == OPERATION_ENABLED:
            mode = self.values[0x6060]
            halted = bool(self.controlword & CW_HALT)
            if mode == MODE_PROFILE_VELOCITY:
                goal = 0.0 if halted else float(self.values[0x60FF])
                speeding_up = goal * old_velocity >= 0 and abs(goal) > abs(old_velocity)
                rate = float(self.values[0x6083]) if speeding_up else profile_decel
                new_velocity = ramp(old_velocity, goal, rate * dt_s)
            elif mode == MODE_PROFILE_POSITION and not halted and self.active_target_counts is not None:
                new_velocity = self._position_step(dt_s)
                self._update_current(old_velocity, dt_s)
                return
            else:
                new_velocity = ramp(old_velocity, 0.0, profile_decel * dt_s)
        elif self.state in (QUICK_STOP_ACTIVE, FAULT_REACTION_ACTIVE):
            new_velocity = ramp(old_velocity, 0.0, float(self.values[0x6085]) * dt_s)
            if new_velocity == 0.0:
                self.state = SWITCH_ON_DISABLED if self.state == QUICK_STOP_ACTIVE else FAULT
        else:
            new_velocity = ramp(old_velocity, 0.0, profile_decel * dt_s)

        self.position_counts += (old_velocity + new_velocity) / 2.0 * dt_s
        self.velocity_counts_per_s = new_velocity
        self._update_current(old_velocity, dt_s)

    def _position_step(self, dt_s: float) -> float:
        """One step of a trapezoidal move toward the active target; returns the new velocity."""
        target = float(self.active_target_counts)
        remaining = target - self.position_counts
        direction = 1.0 if remaining >= 0 else -1.0
        distance = abs(remaining)
        speed = self.velocity_counts_per_s * direction  # negative: moving away from the target
        accel = float(self.values[0x6083])
        decel = float(self.values[0x6084])
        if speed < 0:
            new_speed = ramp(speed, 0.0, decel * dt_s)  # wrong way: stop first
        else:
            # The fastest speed at the end of this step from which the axis can still stop at
            # the target: distance - (speed + v) / 2 * dt >= v^2 / (2 * decel), solved for v.
            half_brake = decel * dt_s / 2.0
            stoppable = -half_brake + math.sqrt(
                half_brake * half_brake + 2.0 * decel * max(distance - speed * dt_s / 2.0, 0.0)
            )
            new_speed = min(float(self.values[0x6081]), speed + accel * dt_s, stoppable)
            new_speed = max(new_speed, speed - decel * dt_s)  # cannot brake harder than 0x6084
        new_position = self.position_counts + direction * (speed + new_speed) / 2.0 * dt_s
        left = (target - new_position) * direction
        # Arrived: at (or past) the target at a crawl; a sub-count remainder is invisible on the
        # integer position and would otherwise be approached forever.
        if left < 0.01 and abs(new_speed) <= decel * dt_s + 1e-9:
            new_position, new_speed = target, 0.0
            self.active_target_counts = self.pending_target_counts
            self.pending_target_counts = None
            if not (self.controlword & CW_NEW_SET_POINT):
                self.set_point_acknowledged = False
        self.position_counts = new_position
        self.velocity_counts_per_s = new_speed * direction
        return self.velocity_counts_per_s

    def _update_current(self, old_velocity: float, dt_s: float) -> None:
        if self.state not in POWERED_STATES:
            self.current_per_mille = 0.0
            self.current_limited = False
            return
        velocity = self.velocity_counts_per_s
        acceleration = (velocity - old_velocity) / dt_s
        demand = (
            CURRENT_PER_MILLE_PER_COUNT_PER_S2 * acceleration
            + CURRENT_PER_MILLE_PER_COUNT_PER_S * velocity
            + math.copysign(FRICTION_CURRENT_PER_MILLE, velocity) * (velocity != 0.0)
        )
        limit = float(min(self.values[0x6073], 0x7FFF))  # 0x6078 is an i16
        self.current_limited = abs(demand) > limit
        self.current_per_mille = max(-limit, min(limit, demand))


def decode_command(controlword: int) -> str:
    """The device control command in bits 0..3 (CiA 402-2 command coding; bit 7 handled apart)."""
    if not controlword & CW_ENABLE_VOLTAGE:
        return "disable voltage"  # 0 x x 0 x
    if not controlword & CW_QUICK_STOP:
        return "quick stop"  # 0 x 0 1 x
    if not controlword & CW_SWITCH_ON:
        return "shutdown"  # 0 x 1 1 0
    if not controlword & CW_ENABLE_OPERATION:
        return "switch on"  # 0 0 1 1 1 (also "disable operation")
    return "enable operation"  # 0 1 1 1 1


def ramp(value: float, goal: float, max_change: float) -> float:
    """Moves `value` toward `goal` by at most `max_change`, landing exactly on it."""
    if abs(goal - value) <= max_change:
        return goal
    return value + math.copysign(max_change, goal - value)


def wrap_i32(value: int) -> int:
    return ((value + 0x8000_0000) & 0xFFFF_FFFF) - 0x8000_0000
