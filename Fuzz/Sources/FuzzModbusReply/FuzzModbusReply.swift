import FuzzHarness

/// libFuzzer entry point for the Modbus RTU reply decoder: one input, fed to `FuzzHarness.modbusReply`.
/// Built only by `swift build --sanitize=fuzzer` in Fuzz/ (scripts/fuzz); libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    FuzzHarness.modbusReply(bytes)
    return 0
}
