// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "curriculum-coordinator",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "curriculum", targets: ["CurriculumCLI"]),
        .library(name: "NNG", targets: ["NNG"]),
        .library(name: "Curriculum", targets: ["Curriculum"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
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
        .executableTarget(
            name: "CurriculumCLI",
            dependencies: [
                "NNG",
                "Curriculum",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "NNGBench", dependencies: ["NNG", "CNNG"], path: "bench/NNGBench"),
        .executableTarget(name: "CurriculumBench", dependencies: ["Curriculum"], path: "bench/CurriculumBench"),
        .testTarget(name: "NNGTests", dependencies: ["NNG"]),
        .testTarget(name: "CurriculumTests", dependencies: ["Curriculum"]),
        .testTarget(name: "CurriculumWireTests", dependencies: ["CurriculumWire"]),
    ],
    swiftLanguageModes: [.v6]
)
