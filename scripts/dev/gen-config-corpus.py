#!/usr/bin/env python3
# Regenerates Tests/ConfigTests/Corpus/bad from the shipped configs: each bad file is a shipped
# config with one defect, headed by the exact diagnostics it must produce (`# expect:` lines).
# The messages are written here by hand; line and column follow from where the defect is placed.
# Run after changing firmware-config/*.yaml, then `make test`.
import re, os
root=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sim=open(f'{root}/firmware-config/sim.yaml').read()
linux=open(f'{root}/firmware-config/eoat-linux.yaml').read()
out=f'{root}/Tests/ConfigTests/Corpus'
os.makedirs(out+'/bad',exist_ok=True); os.makedirs(out+'/good',exist_ok=True)

def strip_comments(t):
    return '\n'.join(l for l in t.split('\n') if not l.lstrip().startswith('#'))+'\n'

cases=[]
def case(name, base, old, new, expects, count=1):
    text=strip_comments(base)
    assert text.count(old)>=1, (name, old)
    text=text.replace(old,new,count)
    cases.append((name,text,expects))

# expects: list of (marker, column, message); line = line of first occurrence of marker (after header)
# expects: (line marker, column marker, message): the line holding the line marker, the column
# where the column marker starts on it.
case('misspelled-key', sim, '    baud: 460800\n', '    buad: 460800\n',
     [('  bus0:', 'bus0', "buses.bus0.baud: required key is missing from 'buses.bus0'"),
      ('    buad:', 'buad', "buses.bus0.buad: unknown key (did you mean 'baud'?)")])
case('duplicate-key', sim, '    retries: 1\n', '    retries: 1\n    retries: 2\n',
     [('    retries: 2', 'retries', "duplicate key 'retries' (first defined at line {L:    retries: 1}; a YAML mapping keeps only one, so remove the other)")])
case('bare-no-as-name', sim, 'name: eoat-sim', 'name: no',
     [('  name: no', 'no', "robot.name: 'no' is a YAML boolean, not text (write \"no\" in quotes if you mean the text)")])
case('bare-on-as-bool', sim, '{ line: 3, debounce_ms: 2 }', '{ line: 3, active_low: on, debounce_ms: 2 }',
     [('active_low: on', 'on,', "gpio.inputs.eoat.plank.home.active_low: expected true or false, found 'on' (YAML 1.1 and 1.2 read 'on' differently; write true or false)")])
case('octal-unit-id', sim, '    unit: 3\n', '    unit: 017\n',
     [('    unit: 017', '017', "drives.right-belt.unit: '017' looks like an octal number (YAML 1.1 reads 017 as 15) (write it without the leading zero, or in hex as 0x..)")])
case('quoted-number', sim, 'baud: 460800', 'baud: "460800"',
     [('    baud: "460800"', '"', "buses.bus0.baud: expected a number, found the quoted text '460800' (remove the quotes)")])
case('unit-id-out-of-range', sim, '    unit: 4\n', '    unit: 300\n',
     [('    unit: 300', '300', "drives.plank.unit: 300 is out of range (allowed 1...247)")])
case('line-used-twice', sim, '{ line: 5, debounce_ms: 2 }', '{ line: 3, debounce_ms: 2 }',
     [('    eoat.jaw.open:', '3,', "gpio.inputs.eoat.jaw.open.line: line offset 3 is already used by 'eoat.plank.home' (line {L:    eoat.plank.home:}) (each GPIO line carries one signal)")])
case('unit-id-twice', sim, '    unit: 3\n', '    unit: 2\n',
     [('  right-belt:\n    bus: bus0\n    unit: 2', '2', "drives.right-belt.unit: unit id 2 on bus0 is already used by drive 'left-belt' (line {L:  left-belt:}) (every drive on a bus needs its own Modbus unit id)")])
case('undefined-bus', sim, '  plank:\n    bus: bus0', '  plank:\n    bus: bus1',
     [('    bus: bus1', 'bus1', "drives.plank.bus: no bus named 'bus1' (buses defined: bus0)")])
case('undefined-profile', sim, '    unit: 1\n', '    unit: 1\n    profile: cia402-vendor\n',
     [('    profile: cia402-vendor', 'cia402-vendor', "drives.jaw.profile: no register profile named 'cia402-vendor' (known: cia402-direct)")])
case('missing-safety-section', sim, 'safety:\n  drive_comm_watchdog_cycles: 3\n  perception_max_age_ms: 250\n  drive_feedback_max_age_ms: 200\n', '',
     [('robot:', 'robot', "safety: required key is missing from the top level")])
case('poll-faster-than-baud', sim, 'poll_hz: 12', 'poll_hz: 100',
     [('    poll_hz: 100', '100', "buses.bus0.poll_hz: 100 Hz is faster than 460800 baud allows for 4 drives (one cycle takes 64.07 ms on the wire, the period is 10.0 ms) (lower poll_hz to 15 or less, or raise the baud rate)")])
case('deadman-shorter-than-two-periods', sim, 'deadman_ms: 20 }', 'deadman_ms: 1.5 }',
     [('    eoat.drive-enable:', '1.5', "gpio.outputs.eoat.drive-enable.deadman_ms: 1.5 ms is shorter than two control periods (2.0 ms) (raise it; the control loop refreshes outputs once per period)")])
case('unknown-signal', sim, '    eoat.plank.home:  ', '    eoat.plank.hom:   ',
     [('    eoat.plank.hom:', 'eoat', "gpio.inputs.eoat.plank.hom: unknown signal (did you mean 'eoat.plank.home'?)"),
      ('  inputs:', 'inputs', "gpio.inputs: signal 'eoat.plank.home' is not wired (the controller needs every EOAT signal; add it)")])
case('tab-indentation', sim, '    retries: 1\n', '\tretries: 1\n',
     [('\tretries: 1', '\t', "YAML syntax: found a tab character that violates indentation while scanning a plain scalar")])
case('sim-section-on-linux', linux, '  jog_speed_share: 0.25\n', '  jog_speed_share: 0.25\nsim:\n  seed: 1\n  pod: { rows: 1, columns: 1, bin_width_mm: 200, bin_height_mm: 200, bin_depth_mm: 300 }\n',
     [('sim:', 'sim', "sim: only read when robot.backend is sim (remove it)")])
case('drive-enable-safe-true', sim, '{ line: 9, safe: false, deadman_ms: 20 }', '{ line: 9, safe: true, deadman_ms: 20 }',
     [('    eoat.drive-enable:', 'true', "gpio.outputs.eoat.drive-enable.safe: the safe value of the drive enable must be false (on any stop, STO must remove torque)")])
case('limits-as-list', sim, '    limits: { speed_mm_s: 400, acceleration_mm_s2: 3000, current_ma: 1600, travel_min_mm: 0, travel_max_mm: 320 }', '    limits: [400, 3000, 1600]',
     [('    limits: [400', '[', "drives.plank.limits: expected a mapping of keys, found a list")])
case('force-above-drive-limit', sim, 'make_space: 1400', 'make_space: 5000',
     [('force_limits_ma:', '5000', "stow.force_limits_ma.make_space: 5000 mA is above the plank drive's current limit (1600 mA) (the drive would cap the current first; lower it below drives.plank.limits.current_ma)")])
case('linux-without-port', linux, '    usb_serial: "FT6RS485A"\n', '',
     [('  bus0:', 'bus0', "buses.bus0.port: required key is missing (select the bus by device path (port: /dev/ttyS1) or USB serial number (usb_serial: ...))")])
case('linux-without-chip', linux, '  chip_label: eoat-io\n', '',
     [('gpio:', 'gpio', "gpio.chip: required key is missing (name the gpiochip by path (chip: /dev/gpiochip0) or label (chip_label: ...))")])
case('sim-fault-lines', sim, '    initial_fill_share: 0.4\n', '    initial_fill_share: 0.4\n  faults: ["estop at soon", "drive-fault gripper 0x7500", "slow-tick 5ms"]\n',
     [('  faults:', '"estop', "sim.faults[0]: 'soon' is not a time; write it like 500ms or 2.5s (see the fault grammar in firmware-config/README.md)"),
      ('  faults:', '"drive-fault', "sim.faults[1]: unknown drive 'gripper'; drives are jaw, left-belt, right-belt, plank (see the fault grammar in firmware-config/README.md)")])
case('belt-with-travel-limit', sim, '    limits: { speed_mm_s: 600, acceleration_mm_s2: 4000, current_ma: 2000 }', '    limits: { speed_mm_s: 600, acceleration_mm_s2: 4000, current_ma: 2000, travel_max_mm: 100 }',
     [('travel_max_mm: 100', '100', "drives.left-belt.limits.travel_max_mm: belts run in velocity mode and have no travel limits (remove it)")])
case('cell-section-on-sim', sim, 'robot:\n', 'cell: { port: /dev/ttyS1, reply_timeout_ms: 200 }\nrobot:\n',
     [('cell:', 'cell', "cell: only read when robot.backend is linux (remove it: the simulator has its own arm and induct)")])
case('cell-without-reply-timeout', linux, '  reply_timeout_ms: 200\n', '',
     [('cell:', 'cell', "cell.reply_timeout_ms: required key is missing from 'cell'")])
case('cell-odd-baud', linux, '  baud: 115200\n  reply_timeout_ms', '  baud: 100000\n  reply_timeout_ms',
     [('  baud: 100000', '100000', "cell.baud: 100000 is not a standard rate (use one of 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 921600, 1000000)")])

def find_line(text, marker):
    idx=text.index(marker)
    return text[:idx].count('\n')+1, idx-(text.rfind('\n',0,idx)+1)+1

for name,text,expects in cases:
    header_lines=len(expects)+2
    body_lines=text
    exp=[]
    for marker,colmark,msg in expects:
        line,_=find_line(text,marker)
        line+=marker.count('\n')
        l=text.split('\n')[line-1]
        col=l.index(colmark)+1
        def sub(m):
            ln,_=find_line(text,m.group(1)); return str(ln+header_lines)
        msg=re.sub(r'\{L:([^}]*)\}',sub,msg)
        exp.append((line+header_lines,col,msg))
    hdr='# A shipped config with one defect. Expected diagnostics (line:column: message):\n'
    for l,c,m in sorted(exp):
        hdr+=f'# expect: {l}:{c}: {m}\n'
    hdr+='#\n'
    open(f'{out}/bad/{name}.yaml','w').write(hdr+text)
open(f'{out}/bad/empty.yaml','w').write('# expect: 1:1: the file is empty\n')
print(len(cases)+1,'cases')
