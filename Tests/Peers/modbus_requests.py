"""How the peer answers each Modbus function code, plugged into pymodbus's RTU server.

pymodbus finds the frame (length, CRC) and decodes the PDU; these request classes replace
pymodbus's own so that the answers follow the Modbus Application Protocol v1.1b3 to the letter:
quantity errors are exception 03 to the right function (pymodbus's classes raise while decoding
and answer 0x80/01), every unsupported function code gets exception 01 (pymodbus silently skips
codes it does not know), and the register map is cia402_registers.py's.

`context` in datastore_update is the peer's DriveBus (cia402_peer.py).
"""

from __future__ import annotations

import struct

from pymodbus.constants import ExcCodes
from pymodbus.framer import FramerRTU
from pymodbus.pdu import ExceptionResponse, ModbusPDU
from pymodbus.pdu.register_message import (
    ReadHoldingRegistersRequest,
    ReadHoldingRegistersResponse,
    ReadInputRegistersResponse,
    ReadWriteMultipleRegistersRequest,
    ReadWriteMultipleRegistersResponse,
    WriteMultipleRegistersRequest,
    WriteMultipleRegistersResponse,
    WriteSingleRegisterRequest,
    WriteSingleRegisterResponse,
)

from cia402_registers import (
    ILLEGAL_DATA_VALUE,
    ModbusExceptionReply,
    apply_writes,
    check_write_span,
    objects_in_span,
    read_registers,
)

SUPPORTED_FUNCTIONS = (0x03, 0x04, 0x06, 0x10, 0x17)


class PeerRequest:
    """Shared answer logic: silent units stay silent, broadcasts get no reply, errors become
    exception replies."""

    async def datastore_update(self, context, device_id: int) -> ModbusPDU | None:
        drive = context.drive_for(device_id)
        broadcast = self.dev_id == 0  # pymodbus fans a broadcast out to every device id
        try:
            return self.answer(drive, device_id, broadcast)
        except ModbusExceptionReply as exc:
            return ExceptionResponse(self.function_code, exc.code)


def check_quantity(quantity: int, maximum: int) -> None:
    if not 1 <= quantity <= maximum:
        raise ModbusExceptionReply(ILLEGAL_DATA_VALUE, f"quantity {quantity} not in 1..{maximum}")


class PeerReadHoldingRegisters(PeerRequest, ReadHoldingRegistersRequest):
    response_class = ReadHoldingRegistersResponse

    def decode(self, data: bytes) -> None:
        # No count check here: pymodbus would raise and answer 0x80/01; we answer 0x83/03.
        self.address, self.count = struct.unpack(">HH", data[:4])

    def answer(self, drive, device_id, broadcast):
        if broadcast:
            return None  # a broadcast read is meaningless; nobody answers it
        check_quantity(self.count, 125)
        registers = read_registers(drive, self.address, self.count)
        return self.response_class(registers=registers, dev_id=device_id)


class PeerReadInputRegisters(PeerReadHoldingRegisters):
    function_code = 0x04
    response_class = ReadInputRegistersResponse


class PeerWriteSingleRegister(PeerRequest, WriteSingleRegisterRequest):
    def answer(self, drive, device_id, broadcast):
        value = self.registers[0]
        writes = check_write_span(drive, self.address, [value])
        apply_writes(drive, writes)
        return WriteSingleRegisterResponse(address=self.address, registers=[value], dev_id=device_id)


class PeerWriteMultipleRegisters(PeerRequest, WriteMultipleRegistersRequest):
    def answer(self, drive, device_id, broadcast):
        check_quantity(self.count, 123)
        if self.byte_count != self.count * 2 or self._payload_byte_count != self.byte_count:
            raise ModbusExceptionReply(ILLEGAL_DATA_VALUE, "byte count does not match quantity")
        writes = check_write_span(drive, self.address, list(self.registers))
        apply_writes(drive, writes)
        return WriteMultipleRegistersResponse(address=self.address, count=self.count, dev_id=device_id)


class PeerReadWriteMultipleRegisters(PeerRequest, ReadWriteMultipleRegistersRequest):
    def decode(self, data: bytes) -> None:
        (self.read_address, self.read_count, self.write_address, self.write_count,
         self.write_byte_count) = struct.unpack(">HHHHB", data[:9])
        payload = data[9:]
        self._payload_byte_count = len(payload)
        self.write_registers = [
            struct.unpack(">H", payload[i : i + 2])[0] for i in range(0, len(payload) - 1, 2)
        ]

    def answer(self, drive, device_id, broadcast):
        check_quantity(self.read_count, 125)
        check_quantity(self.write_count, 121)
        if (self.write_byte_count != self.write_count * 2
                or self._payload_byte_count != self.write_byte_count):
            raise ModbusExceptionReply(ILLEGAL_DATA_VALUE, "byte count does not match quantity")
        # Both spans are checked before anything is written, so a refused read changes nothing.
        if not broadcast:
            objects_in_span(self.read_address, self.read_count)
        writes = check_write_span(drive, self.write_address, list(self.write_registers))
        apply_writes(drive, writes)
        if broadcast:
            return None
        registers = read_registers(drive, self.read_address, self.read_count)
        return ReadWriteMultipleRegistersResponse(registers=registers, dev_id=device_id)


# Request lengths (whole RTU frame) of the standard function codes we do not support, so the
# framer can skip exactly one frame; anything else is delimited by finding a matching CRC.
UNSUPPORTED_FIXED_FRAME_BYTES = {0x01: 8, 0x02: 8, 0x05: 8, 0x07: 4, 0x0B: 4, 0x0C: 4,
                                 0x11: 4, 0x16: 10, 0x18: 6}
UNSUPPORTED_BYTE_COUNT_POSITION = {0x0F: 6, 0x14: 2, 0x15: 2}


def unsupported_function_request(code: int) -> type[ModbusPDU]:
    """A request class for function `code` that always answers exception 01."""

    class UnsupportedFunctionRequest(ModbusPDU):
        function_code = code

        @classmethod
        def calculateRtuFrameSize(cls, data: bytes) -> int:
            if code in UNSUPPORTED_FIXED_FRAME_BYTES:
                return UNSUPPORTED_FIXED_FRAME_BYTES[code]
            if code in UNSUPPORTED_BYTE_COUNT_POSITION:
                position = UNSUPPORTED_BYTE_COUNT_POSITION[code]
                return data[position] + position + 3 if len(data) > position else 0
            for size in range(4, min(len(data), 256) + 1):
                if FramerRTU.check_CRC(data[: size - 2], int.from_bytes(data[size - 2 : size], "big")):
                    return size
            return 0  # no CRC matches yet: wait for more bytes

        def decode(self, data: bytes) -> None:
            pass

        async def datastore_update(self, context, device_id: int) -> ModbusPDU | None:
            context.drive_for(device_id)  # silent and unknown units stay silent
            if self.dev_id == 0:
                return None
            return ExceptionResponse(code, ExcCodes.ILLEGAL_FUNCTION)

    UnsupportedFunctionRequest.__name__ = f"UnsupportedFunction0x{code:02X}Request"
    return UnsupportedFunctionRequest


PEER_REQUESTS: list[type[ModbusPDU]] = [
    PeerReadHoldingRegisters,
    PeerReadInputRegisters,
    PeerWriteSingleRegister,
    PeerWriteMultipleRegisters,
    PeerReadWriteMultipleRegisters,
] + [unsupported_function_request(code) for code in range(1, 0x80) if code not in SUPPORTED_FUNCTIONS]
