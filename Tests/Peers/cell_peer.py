#!/usr/bin/env python3
"""A cell-controller test peer for the "cell link" line protocol (docs/cell-link.md).

    python3 Tests/Peers/cell_peer.py --port PATH [--baud 115200] [--bins r0c0,r1c2]

It plays the PLC / arm controller / warehouse gateway on the far end of the cell link, written
from the protocol page, not from our Swift code: it reads request lines with pyserial, answers
MOVE with OK (ERR for a bin it does not know) and WHAT with the item it holds (ITEM or NOITEM).

Test control on stdin (one command per line; every command answered by `ok` or `error: ...`):
    item ID KIND W_MM H_MM D_MM MASS_KG   the item at the induct from now on
    noitem                               no item from now on
    silent on|off                        stop answering entirely / answer again
    delay MS                             answer every request MS milliseconds late (0: at once)
    garbage TEXT...                      send TEXT as one line, before the next answer
    quit                                 answers `ok` and exits; EOF on stdin does the same
Every request line received is printed on stdout as `got: LINE`. `READY` is printed once the
port is open. Malformed requests are answered `ERR <seq> ...` when a sequence number can be
read, and otherwise only printed as `bad: LINE`.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time

import serial

SEQUENCE = re.compile(r"^(0|[1-9][0-9]{0,9})$")
NUMBER = re.compile(r"^-?[0-9]+\.[0-9]$")


class CellPeer:
    def __init__(self, port: serial.Serial, bins: set[str]) -> None:
        self.port = port
        self.bins = bins
        self.lock = threading.Lock()
        self.item: str | None = None  # "ID KIND W H D M"
        self.silent = False
        self.delay_s = 0.0
        self.pending_garbage: list[str] = []

    def answer(self, line: str) -> str | None:
        """The answer to one request line, without its LF; None for no answer."""
        fields = line.split(" ")
        keyword = fields[0]
        if len(fields) < 2 or not SEQUENCE.match(fields[1]) or int(fields[1]) > 0xFFFFFFFF:
            print(f"bad: {line}", flush=True)
            return None
        seq = fields[1]
        if keyword == "WHAT":
            if len(fields) != 2:
                return f"ERR {seq} WHAT takes only a sequence number"
            with self.lock:
                return f"ITEM {seq} {self.item}" if self.item else f"NOITEM {seq}"
        if keyword == "MOVE":
            station = fields[2:]
            if station in (["induct"], ["sideline"]):
                return f"OK {seq}"
            if len(station) == 4 and station[0] == "bin":
                name, x_mm, advance_mm = station[1:]
                if not (NUMBER.match(x_mm) and NUMBER.match(advance_mm)):
                    return f"ERR {seq} x_mm and advance_mm must be decimals with one digit after the point"
                if name not in self.bins:
                    return f"ERR {seq} unknown bin {name}"
                return f"OK {seq}"
            return f"ERR {seq} MOVE needs induct, sideline or bin NAME X_MM ADVANCE_MM"
        return f"ERR {seq} unknown request {keyword}"

    def serve(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = self.port.read(256)
            except (serial.SerialException, OSError):
                return
            buffer += chunk
            while b"\n" in buffer:
                raw, buffer = buffer.split(b"\n", 1)
                line = raw.decode("ascii", errors="replace").rstrip("\r")
                print(f"got: {line}", flush=True)
                with self.lock:
                    silent, delay_s = self.silent, self.delay_s
                    garbage, self.pending_garbage = self.pending_garbage, []
                if silent:
                    continue
                reply = self.answer(line)
                if reply is None:
                    continue
                out = "".join(g + "\n" for g in garbage) + reply + "\n"
                if delay_s > 0:
                    threading.Timer(delay_s, self.write, args=(out,)).start()
                else:
                    self.write(out)

    def write(self, text: str) -> None:
        try:
            self.port.write(text.encode("ascii"))
        except (serial.SerialException, OSError):
            pass

    def command(self, line: str) -> str:
        words = line.split()
        if not words:
            return "error: empty command"
        with self.lock:
            if words[0] == "item" and len(words) == 7:
                self.item = " ".join(words[1:])
            elif words[0] == "noitem" and len(words) == 1:
                self.item = None
            elif words[0] == "silent" and len(words) == 2 and words[1] in ("on", "off"):
                self.silent = words[1] == "on"
            elif words[0] == "delay" and len(words) == 2 and words[1].isdigit():
                self.delay_s = int(words[1]) / 1000
            elif words[0] == "garbage" and len(words) >= 2:
                self.pending_garbage.append(line.split(" ", 1)[1])
            else:
                return f"error: unknown command: {line}"
        return "ok"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", required=True)
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument("--bins", default="r0c0,r0c1,r1c0,r1c1,r1c2")
    args = parser.parse_args()
    port = serial.Serial(args.port, args.baud, timeout=0.01)
    peer = CellPeer(port, set(args.bins.split(",")))
    threading.Thread(target=peer.serve, daemon=True).start()
    print("READY", flush=True)
    for line in sys.stdin:
        line = line.strip()
        if line == "quit":
            print("ok", flush=True)
            break
        print(peer.command(line), flush=True)
    time.sleep(0.05)
    port.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
