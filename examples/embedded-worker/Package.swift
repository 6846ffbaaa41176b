// swift-tools-version: 6.1
import PackageDescription

// A rollout worker of your own that embeds `WorkerAgent` from this repository's package.
let package = Package(
    name: "embedded-worker",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "curriculum-coordinator", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "EmbeddedWorker",
            dependencies: [.product(name: "WorkerAgent", package: "curriculum-coordinator")],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        )
    ],
    swiftLanguageModes: [.v6]
)
