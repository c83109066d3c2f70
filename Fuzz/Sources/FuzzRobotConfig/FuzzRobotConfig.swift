import FuzzHarness

/// libFuzzer entry point for the config loader (Yams, section readers, cross-checks, fault lines): one input, fed to `FuzzHarness.robotConfig`.
/// Built only by `swift build --sanitize=fuzzer` in Fuzz/ (scripts/fuzz); libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    FuzzHarness.robotConfig(bytes)
    return 0
}
