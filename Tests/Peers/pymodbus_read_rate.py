#!/usr/bin/env python3
"""Read rate of pymodbus's own RTU client against a peer: the baseline for our Swift client.

    python3 Tests/Peers/pymodbus_read_rate.py --port PATH --unit 1 --seconds 5 [--baud 115200]
        [--count 1]

Does back-to-back FC 0x03 reads of `count` registers from 0x6041 (the statusword; in the
cia402-direct map 0x6042 is unmapped, so only --count 1 is valid there) for `seconds`, then
prints one JSON line:
    {"client": "pymodbus", "reads": .., "seconds": .., "reads_per_s": .., "p50_ms": ..,
     "p99_ms": .., "errors": ..}
Latencies are of successful reads only; `errors` counts timeouts and exception replies.
Note pymodbus's sync client polls the port every max(4 characters, 1 ms) and waits for the
input to stop growing, so its latency includes at least one such poll.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from pymodbus.client import ModbusSerialClient
from pymodbus.exceptions import ModbusException

STATUSWORD = 0x6041


def percentile_ms(sorted_latencies_s: list[float], fraction: float) -> float | None:
    if not sorted_latencies_s:
        return None
    position = min(len(sorted_latencies_s) - 1, int(fraction * len(sorted_latencies_s)))
    return round(sorted_latencies_s[position] * 1000.0, 3)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", required=True)
    parser.add_argument("--unit", type=int, required=True, help="unit address, 1..247")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument("--count", type=int, default=1, help="registers per read, from 0x6041")
    args = parser.parse_args(argv)

    client = ModbusSerialClient(args.port, baudrate=args.baud, parity="N", stopbits=2,
                                timeout=1.0, retries=0)
    if not client.connect():
        print(f"pymodbus_read_rate: cannot open {args.port}", file=sys.stderr)
        return 2
    latencies_s: list[float] = []
    errors = 0
    start_s = time.perf_counter()
    deadline_s = start_s + args.seconds
    while time.perf_counter() < deadline_s:
        before_s = time.perf_counter()
        try:
            reply = client.read_holding_registers(STATUSWORD, count=args.count, device_id=args.unit)
            failed = reply.isError()
        except ModbusException:
            failed = True
        if failed:
            errors += 1
        else:
            latencies_s.append(time.perf_counter() - before_s)
    elapsed_s = time.perf_counter() - start_s
    client.close()

    latencies_s.sort()
    print(json.dumps({
        "client": "pymodbus",
        "reads": len(latencies_s),
        "seconds": round(elapsed_s, 3),
        "reads_per_s": round(len(latencies_s) / elapsed_s, 1),
        "p50_ms": percentile_ms(latencies_s, 0.50),
        "p99_ms": percentile_ms(latencies_s, 0.99),
        "errors": errors,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
