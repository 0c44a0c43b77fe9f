// swift-tools-version:6.1
// libFuzzer targets for SwiftBPF's parsers, kept out of the main package so that its build and
// its users never see them. Build and run one with Scripts/fuzz.sh TARGET SECONDS; the seed
// corpus of each is in Corpus/TARGET. Parsers that are not public API are reached through
// `@_spi(Fuzzing) import BPF` (Sources/BPF/Fuzzing); FuzzCLIArguments compiles the CLI's own
// parser files through links.
import PackageDescription

let fuzzerFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
let bpf: [Target.Dependency] = [.product(name: "BPF", package: "SwiftBPF")]

let package = Package(
    name: "SwiftBPFFuzz",
    dependencies: [.package(name: "SwiftBPF", path: "..")],
    targets: [
        .executableTarget(name: "FuzzObjectSpec", dependencies: bpf, swiftSettings: fuzzerFlags),
        .executableTarget(name: "FuzzBTF", dependencies: bpf, swiftSettings: fuzzerFlags),
        .executableTarget(name: "FuzzBTFExt", dependencies: bpf, swiftSettings: fuzzerFlags),
        .executableTarget(name: "FuzzCOREAccess", dependencies: bpf, swiftSettings: fuzzerFlags),
        .executableTarget(name: "FuzzExecutableELF", dependencies: bpf, swiftSettings: fuzzerFlags),
        .executableTarget(name: "FuzzUSDTArguments", dependencies: bpf, swiftSettings: fuzzerFlags),
        .executableTarget(name: "FuzzNetlink", dependencies: bpf, swiftSettings: fuzzerFlags),
        .executableTarget(name: "FuzzProcFiles", dependencies: bpf, swiftSettings: fuzzerFlags),
        .executableTarget(name: "FuzzCORECache", dependencies: bpf, swiftSettings: fuzzerFlags),
        .executableTarget(name: "FuzzCLIArguments", swiftSettings: fuzzerFlags),
    ]
)
