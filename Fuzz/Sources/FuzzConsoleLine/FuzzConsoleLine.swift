import FuzzHarness

/// libFuzzer entry point for the console line editor and command parser: one input, fed to `FuzzHarness.consoleLine`.
/// Built only by `swift build --sanitize=fuzzer` in Fuzz/ (scripts/fuzz); libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    FuzzHarness.consoleLine(bytes)
    return 0
}
