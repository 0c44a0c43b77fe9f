// swift-tools-version:6.1
import PackageDescription

// A package that uses SwiftBPF as any other package would: the `BPF` library and the
// `BPFCompiler` build plugin, which compiles Sources/HelloBPF/bpf/*.bpf.c with clang and embeds
// each object in the executable. Here SwiftBPF is found by path (this folder sits inside its
// repository); elsewhere use `.package(url: "https://github.com/OWNER/SwiftBPF", branch: "main")`.
let package = Package(
    name: "HelloBPF",
    dependencies: [
        .package(name: "SwiftBPF", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "HelloBPF",
            dependencies: [.product(name: "BPF", package: "SwiftBPF")],
            // The BPF C is compiled by the plugin, not by SwiftPM as a C target.
            exclude: ["bpf"],
            plugins: [.plugin(name: "BPFCompiler", package: "SwiftBPF")]
        ),
    ]
)
