// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "SwiftBPF",
    products: [
        .library(name: "BPF", targets: ["BPF"]),
        .executable(name: "swiftbpf", targets: ["swiftbpf"]),
        // The build plugin, for packages that depend on SwiftBPF and keep their BPF C in bpf/:
        // `plugins: [.plugin(name: "BPFCompiler", package: "SwiftBPF")]`.
        .plugin(name: "BPFCompiler", targets: ["BPFCompiler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target BPF` (the DocC catalog in Sources/BPF/BPF.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // YAML policies of `swiftbpf guard` (SwiftBPFSecurity).
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // The C shim: the variadic syscall(2) and the kernel's UAPI structs. Nothing else.
        .target(name: "CBPF"),
        // The library: parsing (pure), loading, maps, programs, links, readers.
        .target(name: "BPF", dependencies: ["CBPF"]),
        // Typed bindings from an object's BTF, shared by BPFGen and `swiftbpf gen`.
        .target(name: "BPFBindings", dependencies: ["BPF"]),
        // Host tool behind the build plugin: compiles *.bpf.c with clang, embeds the object and
        // writes its typed bindings.
        .executableTarget(name: "BPFGen", dependencies: ["BPF", "BPFBindings"]),
        // Pure steps of compiling Swift BPF programs: the IR rewrite, map declarations, helpers.
        .target(name: "BPFSwiftIR"),
        // Host tool behind the build plugin for *.bpf.swift: swiftc (Embedded) -> rewrite -> clang.
        // The BPF-side module it compiles programs against lives in BPFKernel/, outside Sources.
        .executableTarget(name: "BPFSwiftCompiler", dependencies: ["BPFSwiftIR"]),
        .plugin(name: "BPFCompiler", capability: .buildTool(), dependencies: ["BPFGen", "BPFSwiftCompiler"]),
        // The tools built on the library; each has its BPF C program in a bpf/ subfolder.
        .target(
            name: "SwiftBPFTools",
            dependencies: ["BPF"],
            exclude: ["ExecSnoop/bpf", "TCP/bpf", "OpenSnoop/bpf", "ExitSnoop/bpf", "KillSnoop/bpf", "SysCount/bpf", "RunQLat/bpf", "BioLatency/bpf", "Profile/bpf"],
            plugins: ["BPFCompiler"]
        ),
        // Network applications on the library (the XDP firewall); BPF C in each tool's bpf/ folder.
        .target(name: "SwiftBPFNet", dependencies: ["BPF"], exclude: ["Firewall/bpf"], plugins: ["BPFCompiler"]),
        // Runtime security (`swiftbpf guard`): events with lineage, YAML policies, enforcement in the kernel.
        .target(
            name: "SwiftBPFSecurity",
            dependencies: ["BPF", .product(name: "Yams", package: "Yams")],
            exclude: ["Guard/bpf"],
            plugins: ["BPFCompiler"]
        ),
        .executableTarget(
            name: "swiftbpf",
            dependencies: [
                "BPF", "BPFBindings", "SwiftBPFTools", "SwiftBPFNet", "SwiftBPFSecurity",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Library benchmarks; Benchmarks/ runs them against their peers.
        .executableTarget(
            name: "swiftbpf-bench",
            dependencies: ["BPF", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Pure parsing tests: no root, no kernel.
        .testTarget(name: "BPFTests", dependencies: ["BPF", "BPFSwiftIR", "BPFBindings"], exclude: ["bpf"], plugins: ["BPFCompiler"]),
        // Pure tests of the network applications' parsers and models.
        .testTarget(name: "SwiftBPFNetTests", dependencies: ["SwiftBPFNet"]),
        // Pure tests of guard's policy parser and matcher.
        .testTarget(name: "SwiftBPFSecurityTests", dependencies: ["SwiftBPFSecurity"]),
        // Root tests against the running kernel.
        .testTarget(
            name: "BPFKernelTests",
            dependencies: ["BPF", "SwiftBPFTools", "SwiftBPFNet", "SwiftBPFSecurity"],
            // Helpers/: C programs the tests run as children (built at test time, or by vmtest.sh).
            exclude: ["bpf", "Helpers"],
            plugins: ["BPFCompiler"]
        ),
    ]
)
