// swift-tools-version: 6.1
//
// libFuzzer targets for the stow controller's parsers (issue 11; docs/reliability.md). A package of
// its own so the product's `swift build` never compiles them: build and run with scripts/fuzz
// (`swift build --sanitize=fuzzer` here). Each target holds only its `LLVMFuzzerTestOneInput`;
// what it feeds the input to is `FuzzHarness` in the main package, which the regression specs
// (`Tests/FuzzRegressionTests`) replay crash inputs through.
import PackageDescription

let entryPoint: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]  // libFuzzer supplies main

let package = Package(
    name: "stow-eoat-fuzz",
    dependencies: [.package(name: "stow-eoat", path: "..")],
    targets: ["FuzzModbusReply", "FuzzRobotConfig", "FuzzConsoleLine", "FuzzPGMFrame"].map { name in
        .executableTarget(name: name, dependencies: [.product(name: "FuzzHarness", package: "stow-eoat")], swiftSettings: entryPoint)
    }
)
