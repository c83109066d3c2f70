"""The drive model in virtual time: exact timing and motion checks, no serial line, no clock."""

from __future__ import annotations

import pytest

from cia402_drive import (
    BOOT_TIME_S,
    FAULT,
    FAULT_REACTION_ACTIVE,
    NOT_READY_TO_SWITCH_ON,
    OPERATION_ENABLED,
    QUICK_STOP_ACTIVE,
    READY_TO_SWITCH_ON,
    SWITCH_ON_DISABLED,
    SWITCHED_ON,
    Cia402Drive,
    ObjectWriteRejected,
)


class Clock:
    def __init__(self) -> None:
        self.now_s = 0.0


@pytest.fixture
def clock():
    return Clock()


def booted_drive(clock: Clock) -> Cia402Drive:
    drive = Cia402Drive(clock.now_s)
    run(drive, clock, BOOT_TIME_S + 0.001)
    return drive


def run(drive: Cia402Drive, clock: Clock, seconds: float) -> None:
    clock.now_s += seconds
    drive.advance(clock.now_s)


def write(drive: Cia402Drive, index: int, value: int) -> None:
    drive.check_write(index, value)
    drive.write_object(index, value)


def enabled_drive(clock: Clock, mode: int) -> Cia402Drive:
    drive = booted_drive(clock)
    write(drive, 0x6060, mode)
    for controlword in (0x06, 0x07, 0x0F):
        write(drive, 0x6040, controlword)
    assert drive.state == OPERATION_ENABLED
    return drive


def test_boots_through_not_ready_to_switch_on(clock):
    drive = Cia402Drive(clock.now_s)
    assert drive.state == NOT_READY_TO_SWITCH_ON and drive.statusword() == 0x0200
    write(drive, 0x6040, 0x06)  # ignored while booting
    run(drive, clock, BOOT_TIME_S + 0.001)
    assert drive.state == SWITCH_ON_DISABLED and drive.statusword() == 0x0250


@pytest.mark.parametrize(
    "start_walk, controlword, expected",
    [
        ([], 0x06, READY_TO_SWITCH_ON),  # 2
        ([0x06], 0x07, SWITCHED_ON),  # 3
        ([0x06], 0x0F, OPERATION_ENABLED),  # 3 + 4
        ([0x06], 0x00, SWITCH_ON_DISABLED),  # 7 disable voltage
        ([0x06], 0x02, SWITCH_ON_DISABLED),  # 7 quick stop
        ([0x06, 0x07], 0x0F, OPERATION_ENABLED),  # 4
        ([0x06, 0x07], 0x06, READY_TO_SWITCH_ON),  # 6
        ([0x06, 0x07], 0x0D, SWITCH_ON_DISABLED),  # 10 disable voltage (bit 1 low)
        ([0x06, 0x07], 0x0B, SWITCH_ON_DISABLED),  # 10 quick stop
        ([0x06, 0x0F], 0x07, SWITCHED_ON),  # 5
        ([0x06, 0x0F], 0x0E, READY_TO_SWITCH_ON),  # 8 (bit 3 is "x" in shutdown)
        ([0x06, 0x0F], 0x0C, SWITCH_ON_DISABLED),  # 9
        ([0x06, 0x0F], 0x0B, SWITCH_ON_DISABLED),  # 11 then 12 at once: the motor is at rest
        ([], 0x0F, SWITCH_ON_DISABLED),  # no shortcut out of switch on disabled
        ([], 0x07, SWITCH_ON_DISABLED),
    ],
)
def test_transitions(clock, start_walk, controlword, expected):
    drive = booted_drive(clock)
    for word in start_walk:
        write(drive, 0x6040, word)
    write(drive, 0x6040, controlword)
    run(drive, clock, 0.002)
    assert drive.state == expected


def test_statusword_values_per_state(clock):
    drive = booted_drive(clock)
    expected = {0x06: 0x0231, 0x07: 0x0233, 0x0F: 0x0237}
    for controlword, statusword in expected.items():
        write(drive, 0x6040, controlword)
        assert drive.statusword() & ~0x1400 == statusword  # mode bits 10/12 aside


def test_quick_stop_brakes_on_0x6085_then_switch_on_disabled(clock):
    drive = enabled_drive(clock, mode=3)
    write(drive, 0x60FF, 10_000)
    run(drive, clock, 0.2)  # 10_000 / 100_000 = 0.1 s ramp
    assert drive.read_object(0x606C) == 10_000
    write(drive, 0x6085, 50_000)  # 0.2 s to stop
    write(drive, 0x6040, 0x0B)
    run(drive, clock, 0.1)
    assert drive.state == QUICK_STOP_ACTIVE and drive.statusword() & 0x6F == 0x07
    assert drive.read_object(0x606C) == 5_000
    write(drive, 0x6040, 0x0F)  # enable operation is not allowed with option code 2
    run(drive, clock, 0.101)
    assert drive.state == SWITCH_ON_DISABLED and drive.read_object(0x606C) == 0


def test_profile_velocity_ramp_time_matches_acceleration(clock):
    drive = enabled_drive(clock, mode=3)
    write(drive, 0x6083, 200_000)
    write(drive, 0x60FF, 20_000)
    run(drive, clock, 0.05)
    assert drive.read_object(0x606C) == 10_000
    assert not drive.statusword() & (1 << 10)
    run(drive, clock, 0.05)
    assert drive.read_object(0x606C) == 20_000 and drive.statusword() & (1 << 10)
    assert drive.read_object(0x6078) == 400 + 100 + 30  # inertia + viscous + friction
    run(drive, clock, 0.01)
    assert drive.read_object(0x6078) == 100 + 30  # cruising: no acceleration left


def test_profile_velocity_slows_with_deceleration(clock):
    drive = enabled_drive(clock, mode=3)
    write(drive, 0x60FF, 10_000)
    run(drive, clock, 0.2)
    write(drive, 0x6084, 50_000)
    write(drive, 0x60FF, 0)
    run(drive, clock, 0.1)
    assert drive.read_object(0x606C) == 5_000


def test_profile_position_trapezoid_reaches_target_exactly(clock):
    drive = enabled_drive(clock, mode=1)
    for index, value in ((0x6081, 10_000), (0x6083, 100_000), (0x6084, 100_000), (0x607A, 5_000)):
        write(drive, index, value)
    write(drive, 0x6040, 0x1F)
    write(drive, 0x6040, 0x0F)
    peak_velocity = 0
    elapsed_s = 0.0
    while not drive.statusword() & (1 << 10):
        run(drive, clock, 0.001)
        elapsed_s += 0.001
        peak_velocity = max(peak_velocity, drive.read_object(0x606C))
        assert elapsed_s < 2.0
    # 0.1 s up to 10_000 counts/s, 0.4 s cruise, 0.1 s down: 0.6 s for 5_000 counts.
    assert peak_velocity == 10_000
    assert elapsed_s == pytest.approx(0.6, abs=0.01)
    assert drive.read_object(0x6064) == 5_000 and drive.read_object(0x606C) == 0


def test_relative_set_point_adds_to_the_previous_target(clock):
    drive = enabled_drive(clock, mode=1)
    write(drive, 0x607A, 1_000)
    write(drive, 0x6040, 0x1F)
    write(drive, 0x6040, 0x0F)
    write(drive, 0x607A, -300)
    write(drive, 0x6040, 0x5F)  # new set-point, relative, buffered behind the first
    write(drive, 0x6040, 0x4F)
    run(drive, clock, 3.0)
    assert drive.read_object(0x6064) == 700


def test_set_point_buffer_holds_one_and_acknowledge_drops_when_free(clock):
    drive = enabled_drive(clock, mode=1)
    write(drive, 0x607A, 10_000)
    write(drive, 0x6040, 0x1F)
    write(drive, 0x6040, 0x0F)
    assert not drive.statusword() & (1 << 12)  # first went straight to work, buffer free
    write(drive, 0x607A, 20_000)
    write(drive, 0x6040, 0x1F)
    write(drive, 0x6040, 0x0F)
    assert drive.statusword() & (1 << 12)  # second is buffered: buffer full
    write(drive, 0x607A, 30_000)
    write(drive, 0x6040, 0x1F)  # refused: not acknowledged a second time, not stored
    write(drive, 0x6040, 0x0F)
    run(drive, clock, 5.0)
    assert drive.read_object(0x6064) == 20_000 and not drive.statusword() & (1 << 12)


def test_change_set_immediately_replaces_the_move(clock):
    drive = enabled_drive(clock, mode=1)
    write(drive, 0x607A, 10_000)
    write(drive, 0x6040, 0x1F)
    write(drive, 0x6040, 0x0F)
    run(drive, clock, 0.2)
    write(drive, 0x607A, -1_000)
    write(drive, 0x6040, 0x3F)
    write(drive, 0x6040, 0x2F)
    run(drive, clock, 3.0)
    assert drive.read_object(0x6064) == -1_000 and drive.statusword() & (1 << 10)


def test_halt_stops_profile_position_and_release_resumes(clock):
    drive = enabled_drive(clock, mode=1)
    write(drive, 0x607A, 5_000)
    write(drive, 0x6040, 0x1F)
    write(drive, 0x6040, 0x10F)
    run(drive, clock, 0.5)
    assert drive.read_object(0x606C) == 0 and drive.statusword() & (1 << 10)
    stopped_at = drive.read_object(0x6064)
    write(drive, 0x6040, 0x0F)
    run(drive, clock, 2.0)
    assert stopped_at < 5_000 and drive.read_object(0x6064) == 5_000


def test_fault_reaction_brakes_then_fault_and_reset_edge(clock):
    drive = enabled_drive(clock, mode=3)
    write(drive, 0x60FF, 10_000)
    run(drive, clock, 0.2)
    drive.inject_fault(0x2310)
    assert drive.state == FAULT_REACTION_ACTIVE and drive.statusword() & 0x4F == 0x0F
    run(drive, clock, 0.02)  # 10_000 / 1_000_000 = 10 ms on the quick stop ramp
    assert drive.state == FAULT and drive.read_object(0x603F) == 0x2310
    write(drive, 0x6040, 0x8F)
    assert drive.state == SWITCH_ON_DISABLED and drive.read_object(0x603F) == 0


def test_fault_at_rest_goes_straight_to_fault(clock):
    drive = booted_drive(clock)
    drive.inject_fault(0x5530)
    assert drive.state == FAULT and drive.statusword() == 0x0218


def test_refused_values(clock):
    drive = booted_drive(clock)
    for index, value in ((0x6060, 6), (0x6060, 200), (0x6084, 0), (0x6073, 70_000)):
        with pytest.raises(ObjectWriteRejected):
            drive.check_write(index, value)


def test_position_reports_wrap_as_i32(clock):
    drive = booted_drive(clock)
    drive.position_counts = 2**31 + 5.0
    assert drive.read_object(0x6064) == -(2**31) + 5
