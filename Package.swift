// swift-tools-version:6.1
import Foundation
import PackageDescription

/// The `bpf/` folders of a target: its own and each tool folder's (`<Tool>/bpf`). The BPFCompiler
/// plugin compiles the C in them; SwiftPM must not take it for the target's sources. Computed, so
/// a new tool folder needs no line here. SwiftPM caches the evaluated manifest by its text, not by
/// the folders it lists: after adding a `bpf/` folder, build once with `--manifest-cache none`
/// (or edit this file) if SwiftPM reports "mixed language source files".
func bpfFolders(of target: String, under root: String = "Sources") -> [String] {
    let files = FileManager.default
    let base = Context.packageDirectory + "/" + root + "/" + target
    func isFolder(_ path: String) -> Bool {
        var folder: ObjCBool = false
        return files.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
    }
    let tools = ((try? files.contentsOfDirectory(atPath: base)) ?? []).sorted()
        .filter { isFolder(base + "/" + $0 + "/bpf") }.map { $0 + "/bpf" }
    return (isFolder(base + "/bpf") ? ["bpf"] : []) + tools
}

let package = Package(
    name: "SwiftBPF",
    products: [
        .library(name: "BPF", targets: ["BPF"]),
        .executable(name: "swiftbpf", targets: ["swiftbpf"]),
        .executable(name: "swiftbpf-agent", targets: ["swiftbpf-agent"]),
        // The build plugin, for packages that depend on SwiftBPF and keep their BPF C in bpf/:
        // `plugins: [.plugin(name: "BPFCompiler", package: "SwiftBPF")]`.
        .plugin(name: "BPFCompiler", targets: ["BPFCompiler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target BPF` (the DocC catalog in Sources/BPF/BPF.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // The host agent's server stack (swiftbpf-agent only; the swiftbpf CLI links none of it).
        // Hummingbird without swift-configuration; swift-otel with OTLP/HTTP only (no gRPC build).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // YAML of the agent's config (swiftbpf-agent only; the tools read YAML with YAMLSubset).
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // The C shim: the variadic syscall(2) and the kernel's UAPI structs. Nothing else.
        .target(name: "CBPF"),
        // The library: parsing (pure), loading, maps, programs, links, readers.
        // SWIFTBPF_BPF_LANGUAGE=swift: tools with a Swift twin of their BPF C load it by default
        // (BPFProgramLanguage.buildDefault, used by SwiftBPFTools and SwiftBPFNet).
        .target(name: "BPF", dependencies: ["CBPF"],
                swiftSettings: Context.environment["SWIFTBPF_BPF_LANGUAGE"] == "swift" ? [.define("SWIFTBPF_SWIFT_PROGRAMS")] : []),
        // Typed bindings from an object's BTF, shared by BPFGen and `swiftbpf gen`.
        .target(name: "BPFBindings", dependencies: ["BPF"]),
        // Host tool behind the build plugin: compiles *.bpf.c with clang, embeds the object and
        // writes its typed bindings.
        .executableTarget(name: "BPFGen", dependencies: ["BPF", "BPFBindings"]),
        // Pure steps of compiling Swift BPF programs: the IR rewrite, map declarations, helpers.
        .target(name: "BPFSwiftIR"),
        // Host tool behind the build plugin for *.bpf.swift: swiftc (Embedded) -> rewrite -> clang.
        // The BPF-side module it compiles programs against lives in BPFKernel/, outside Sources.
        .executableTarget(name: "BPFSwiftCompiler", dependencies: ["BPFSwiftIR", "BPF", "BPFBindings"]),
        .plugin(name: "BPFCompiler", capability: .buildTool(), dependencies: ["BPFGen", "BPFSwiftCompiler"]),
        // The YAML subset of rules files and policies, without Foundation (Yams would bring
        // Foundation, and about 4.5 MB of resident memory, into every `swiftbpf` tool).
        .target(name: "YAMLSubset"),
        // The text of the tools and commands: column padding, times and durations, JSON.
        .target(name: "ToolText", dependencies: ["BPF"]),
        // The tools built on the library. A tool is one folder: its BPF C in bpf/, its event and
        // format types, and its `Tool` conformance with its options (hence ArgumentParser here).
        .target(
            name: "SwiftBPFTools",
            dependencies: ["BPF", "ToolText", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            exclude: bpfFolders(of: "SwiftBPFTools"),
            plugins: ["BPFCompiler"]
        ),
        // DNS messages as they are on the wire: a pure, bounded parser (flows labels connections
        // with it, guard learn names a workload's peers). No dependencies.
        .target(name: "DNSWire"),
        // Network applications on the library (the XDP firewall); BPF C in each tool's bpf/ folder.
        .target(name: "SwiftBPFNet", dependencies: ["BPF", "ToolText", "YAMLSubset", "DNSWire"], exclude: bpfFolders(of: "SwiftBPFNet"), plugins: ["BPFCompiler"]),
        // Runtime security (`swiftbpf guard`): events with lineage, YAML policies, enforcement in the kernel.
        .target(
            name: "SwiftBPFSecurity",
            dependencies: ["BPF", "ToolText", "YAMLSubset", "DNSWire"],
            exclude: bpfFolders(of: "SwiftBPFSecurity"),
            plugins: ["BPFCompiler"]
        ),
        .executableTarget(
            name: "swiftbpf",
            dependencies: [
                "BPF", "BPFBindings", "SwiftBPFTools", "SwiftBPFNet", "SwiftBPFSecurity", "ToolText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The host agent: config, collectors over the tools, metrics, HTTP API, store, OTLP export.
        .target(
            name: "SwiftBPFAgent",
            dependencies: [
                "BPF", "SwiftBPFTools", "SwiftBPFNet", "SwiftBPFSecurity",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            // The web UI, compiled into the binary (PackageResources.*): no files beside it, no CDN.
            resources: ["index.html", "app.css", "api.js", "app.js", "events.js", "processes.js", "network.js", "profiles.js",
                        "security.js", "health.js"].map { .embedInCode("UI/assets/" + $0) }
        ),
        .executableTarget(name: "swiftbpf-agent", dependencies: ["SwiftBPFAgent"]),
        // Library benchmarks; Benchmarks/ runs them against their peers.
        .executableTarget(
            name: "swiftbpf-bench",
            dependencies: ["BPF", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Pure parsing tests: no root, no kernel.
        .testTarget(name: "BPFTests", dependencies: ["BPF", "BPFSwiftIR", "BPFBindings"], exclude: bpfFolders(of: "BPFTests", under: "Tests"), plugins: ["BPFCompiler"]),
        // Pure tests of the network applications' parsers and models.
        .testTarget(name: "SwiftBPFNetTests", dependencies: ["SwiftBPFNet", "DNSWire"]),
        // Pure tests of the YAML subset reader.
        .testTarget(name: "YAMLSubsetTests", dependencies: ["YAMLSubset"]),
        // Pure tests of guard's policy parser and matcher.
        .testTarget(name: "SwiftBPFSecurityTests", dependencies: ["SwiftBPFSecurity"]),
        // Root tests of the agent with real components (Prometheus, an OTLP collector, SQLite).
        .testTarget(name: "AgentTests", dependencies: ["SwiftBPFAgent", "SwiftBPFTools", "SwiftBPFNet", "BPF"], exclude: ["bpf"]),
        // Root tests against the running kernel.
        .testTarget(
            name: "BPFKernelTests",
            dependencies: ["BPF", "SwiftBPFTools", "SwiftBPFNet", "SwiftBPFSecurity", "ToolText"],
            // Helpers/: C programs the tests run as children (built at test time, or by vmtest.sh);
            // TLSHelpers/: the TLS tests' server and clients (linked with libssl/libgnutls at test time).
            exclude: bpfFolders(of: "BPFKernelTests", under: "Tests") + ["Helpers", "TLSHelpers"],
            plugins: ["BPFCompiler"]
        ),
    ]
)
