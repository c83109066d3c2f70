// swift-tools-version: 6.1
//
// The stow end-effector controller. Module map and the reason for every dependency:
// docs/architecture.md. Arrows point one way: Control never imports SimHAL or a Linux backend.
import PackageDescription

// Code that only ever runs the simulator drops Swift's dynamic exclusivity checks in release
// builds: they were about a tenth of a simulated campaign's CPU (issue 7). Debug builds, and so
// every test, keep them; the controller's own modules (HAL, Control, Perception) keep them in
// every build, since they run the robot.
let simulationOnlyReleaseSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "stow-eoat",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "stowctl", targets: ["stowctl"]),
        // For the libFuzzer package under Fuzz/ only (a package can depend on products, not targets).
        .library(name: "FuzzHarness", targets: ["FuzzHarness"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries: only HAL imports these.
        .systemLibrary(
            name: "CGPIOD",
            pkgConfig: "libgpiod",
            providers: [.apt(["libgpiod-dev"])]
        ),
        .systemLibrary(
            name: "CSerialPort",
            pkgConfig: "libserialport",
            providers: [.apt(["libserialport-dev"])]
        ),

        // C calls Swift cannot make directly (prctl timer slack). Only Control imports it.
        .target(name: "CRealtime"),

        // YAML → typed, validated robot description. Imports nothing of ours.
        .target(name: "Config", dependencies: [.product(name: "Yams", package: "Yams")]),

        // Device contracts, units, errors, Linux backends, Modbus RTU and CiA 402.
        .target(
            name: "HAL",
            dependencies: [
                "CGPIOD",
                "CSerialPort",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),

        // Simulated end effector and pod world behind the HAL contracts. Never imports Control.
        .target(name: "SimHAL", dependencies: ["HAL", "Config"], swiftSettings: simulationOnlyReleaseSettings),

        // Depth frames → bands, free space, verification.
        .target(name: "Perception", dependencies: ["HAL"]),

        // Loops, executors, safety supervisor, stow state machine, bin selection, campaigns.
        .target(
            name: "Control",
            dependencies: ["HAL", "Perception", "Config", "CRealtime", .product(name: "Logging", package: "swift-log")]
        ),

        // The durable stow journal: every attempt in SQLite before the next one starts.
        .target(name: "Journal", dependencies: ["Control", .product(name: "GRDB", package: "GRDB.swift")]),

        // The simulated robot: SimHAL + the production controller in virtual time, and campaigns.
        .target(
            name: "Simulation", dependencies: ["Control", "SimHAL", "Perception", "Config", "HAL"],
            swiftSettings: simulationOnlyReleaseSettings),

        // How a campaign's results are shown: terminal table, JSON, HTML report, progress bar.
        .target(name: "CampaignReport", dependencies: ["Control", "Config"]),

        // Serial / stdio diagnostics console.
        .target(name: "Console", dependencies: ["Control", "HAL", "Config", .product(name: "Logging", package: "swift-log")]),

        // The CLI: wires config to backends and runs everything else.
        .executableTarget(
            name: "stowctl",
            dependencies: [
                "Config", "HAL", "SimHAL", "Perception", "Control", "Console", "CampaignReport", "Journal", "Simulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Test support: counts heap allocations per thread (interposes malloc in the test binary).
        .target(name: "AllocationCounter", path: "Tests/Support/AllocationCounter"),
        // What each fuzz target feeds its input to; the regression specs replay crash inputs through it.
        .target(name: "FuzzHarness", dependencies: ["Config", "Console", "HAL", "Perception"], path: "Tests/Support/FuzzHarness"),

        .testTarget(name: "ConfigTests", dependencies: ["Config"], exclude: ["Corpus"]),
        .testTarget(name: "HALTests", dependencies: ["HAL", "AllocationCounter"]),
        .testTarget(name: "SimHALTests", dependencies: ["SimHAL", "HAL", "Config", "AllocationCounter"]),
        .testTarget(name: "PerceptionTests", dependencies: ["Perception", "HAL", "SimHAL", "Config", "AllocationCounter"]),
        .testTarget(name: "ControlTests", dependencies: ["Control", "HAL", "Config", "SimHAL", "AllocationCounter"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "Control", "HAL", "Config", "Simulation", "AllocationCounter"]),
        .testTarget(name: "CampaignReportTests", dependencies: ["CampaignReport", "Control"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "Control"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Control", "SimHAL", "Config", "HAL"]),
        .testTarget(name: "StowctlTests", dependencies: []),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzHarness"]),
    ]
)
