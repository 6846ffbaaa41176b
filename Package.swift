// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// Compiler settings every target of this package shares.
let sharedSwiftSettings: [SwiftSetting] = [
    // Existential types are spelled `any P`, so their cost is visible where they are used.
    .enableUpcomingFeature("ExistentialAny")
]

/// The benchmark executables build only when asked for (`CURRICULUM_BENCHMARKS=1 swift run -c release
/// IngestBench`), so a plain `swift build` or `swift test` does not compile them.
let benchmarksRequested = ProcessInfo.processInfo.environment["CURRICULUM_BENCHMARKS"] == "1"

let benchmarkTargets: [Target] = [
    .executableTarget(name: "NNGBench", dependencies: ["NNG", "CNNG"], path: "bench/NNGBench"),
    .executableTarget(name: "CurriculumBench", dependencies: ["Curriculum"], path: "bench/CurriculumBench"),
    .executableTarget(
        name: "IngestBench",
        dependencies: [
            "Coordinator", "WorkerAgent", "CurriculumAuth", "CurriculumWire", "Curriculum", "NNG", "Monitoring",
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ],
        path: "bench/IngestBench"
    ),
    .executableTarget(
        name: "ChurnBench", dependencies: ["Coordinator", "CurriculumWire", "NNG"], path: "bench/ChurnBench"),
    .executableTarget(name: "FleetBench", dependencies: ["FleetLoad", "CurriculumWire"], path: "bench/FleetBench"),
]

let package = Package(
    name: "curriculum-coordinator",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "curriculum", targets: ["CurriculumCLI"]),
        .library(name: "NNG", targets: ["NNG"]),
        .library(name: "Curriculum", targets: ["Curriculum"]),
        .library(name: "CurriculumWire", targets: ["CurriculumWire"]),
        .library(name: "CurriculumAuth", targets: ["CurriculumAuth"]),
        .library(name: "WorkerAgent", targets: ["WorkerAgent"]),
        .library(name: "Coordinator", targets: ["Coordinator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // The C library from Debian's libnng-dev; nothing but headers and a link line.
        .systemLibrary(
            name: "CNNG",
            providers: [.apt(["libnng-dev"])]
        ),
        .target(name: "NNG", dependencies: ["CNNG"]),
        // The pure curriculum core: bandits, staleness, merging, allocation. No I/O.
        .target(name: "Curriculum"),
        // The wire protocol: code generated from Protocols/curriculum.proto, framing, typed decode errors.
        .target(
            name: "CurriculumWire",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // Worker authentication: keyrings, HMAC-SHA256 frame signatures, the anti-replay window.
        .target(
            name: "CurriculumAuth",
            dependencies: ["CurriculumWire", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The metrics the coordinator and the worker agent keep (swift-metrics), named in one catalog.
        .target(
            name: "CurriculumMetrics",
            dependencies: [.product(name: "CoreMetrics", package: "swift-metrics")]
        ),
        // The coordinator service: ingest, exactly-once ledger, membership leases, broadcast cadence.
        .target(
            name: "Coordinator",
            dependencies: [
                "NNG",
                "Curriculum",
                "CurriculumWire",
                "CurriculumAuth",
                "CurriculumMetrics",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The coordinator's HTTP port: /metrics (Prometheus), health checks, /api/status, the dashboard.
        .target(
            name: "Monitoring",
            dependencies: [
                "Coordinator",
                "CurriculumWire",
                "CurriculumMetrics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The agent a rollout worker embeds: policy cache, nextBatch, outbox with retransmission, drain.
        .target(
            name: "WorkerAgent",
            dependencies: [
                "NNG",
                "Curriculum",
                "CurriculumWire",
                "CurriculumAuth",
                "CurriculumMetrics",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The built-in simulated student behind `curriculum worker` and the demo. No networking.
        .target(name: "Simulation", dependencies: ["Curriculum"]),
        // A worker agent driving a simulated student: the rollout loop `curriculum worker` runs.
        .target(
            name: "SimulatedWorker",
            dependencies: [
                "Simulation",
                "WorkerAgent",
                "Curriculum",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The demo: coordinator + worker agents over real nng around one shared simulated
        // student, the curriculum comparison and its HTML report.
        .target(
            name: "Demo",
            dependencies: [
                "Simulation",
                "SimulatedWorker",
                "Coordinator",
                "WorkerAgent",
                "Curriculum",
                "CurriculumWire",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "CurriculumCLI",
            dependencies: [
                "NNG",
                "Curriculum",
                "CurriculumWire",
                "CurriculumAuth",
                "Coordinator",
                "Monitoring",
                "WorkerAgent",
                "Simulation",
                "SimulatedWorker",
                "Demo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // Lightweight worker identities by the thousand in one process, for FleetBench and the fleet test.
        .target(name: "FleetLoad", dependencies: ["NNG", "CurriculumWire"]),
        // Helpers shared by the test targets: bounded waits, certificates, a seeded generator.
        .target(
            name: "CurriculumTestSupport",
            dependencies: ["Curriculum", .product(name: "SystemPackage", package: "swift-system")],
            path: "Tests/CurriculumTestSupport"
        ),
        .testTarget(name: "NNGTests", dependencies: ["NNG", "CurriculumTestSupport"]),
        .testTarget(name: "CurriculumTests", dependencies: ["Curriculum"]),
        .testTarget(name: "CurriculumWireTests", dependencies: ["CurriculumWire", "CurriculumTestSupport"]),
        .testTarget(name: "CurriculumAuthTests", dependencies: ["CurriculumAuth", "CurriculumWire"]),
        .testTarget(
            name: "CoordinatorTests",
            dependencies: ["Coordinator", "WorkerAgent", "CurriculumAuth", "CurriculumTestSupport"]
        ),
        .testTarget(name: "WorkerAgentTests", dependencies: ["WorkerAgent"]),
        .testTarget(
            name: "MonitoringTests",
            dependencies: ["Monitoring", "Coordinator", "WorkerAgent", "CurriculumWire", "NNG", "CurriculumTestSupport"]
        ),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Demo", "Curriculum"]),
        // Multi-process tests: they run the `curriculum` executable as child processes.
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["CurriculumCLI", "CurriculumWire", "NNG", "CurriculumTestSupport", "FleetLoad"]
        ),
    ] + (benchmarksRequested ? benchmarkTargets : []),
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + sharedSwiftSettings
}
