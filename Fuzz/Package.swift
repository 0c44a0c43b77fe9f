// swift-tools-version:6.1
// libFuzzer targets for SwiftBPF's parsers, kept out of the main package so that its build and
// its users never see them. Build and run one with Scripts/fuzz.sh TARGET SECONDS.
import PackageDescription

let fuzzerFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "SwiftBPFFuzz",
    dependencies: [.package(name: "SwiftBPF", path: "..")],
    targets: [
        .executableTarget(name: "FuzzObjectSpec", dependencies: [.product(name: "BPF", package: "SwiftBPF")], swiftSettings: fuzzerFlags),
        .executableTarget(name: "FuzzBTF", dependencies: [.product(name: "BPF", package: "SwiftBPF")], swiftSettings: fuzzerFlags),
    ]
)
