import Foundation
import PackagePlugin

/// Compiles every `*.bpf.c` below a target's folder with the toolchain's clang
/// (`-target bpf -g -O2`) and embeds each object into the target as a generated Swift file,
/// without its DWARF except in test targets.
/// The C files live in `bpf/` subfolders that the target excludes, so SwiftPM does not see
/// them as C sources; this plugin lists them itself.
@main
struct BPFCompiler: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let clang = try context.tool(named: "clang").url
        let gen = try context.tool(named: "BPFGen").url
        let packageDir = context.package.directoryURL
        let includeDir = packageDir.appending(path: "BPFInclude")
        let headers = Self.files(in: includeDir) { $0.hasSuffix(".h") }
        let sources = Self.files(in: target.directoryURL) { $0.hasSuffix(".bpf.c") }
        return try swiftProgramCommands(context: context, target: target) + sources.map { source in
            let base = source.deletingPathExtension().deletingPathExtension().lastPathComponent
            let output = context.pluginWorkDirectoryURL.appending(path: "\(base).bpf.swift")
            let localHeaders = Self.files(in: source.deletingLastPathComponent()) { $0.hasSuffix(".h") }
            return .buildCommand(
                displayName: "Compiling BPF program \(source.lastPathComponent)",
                executable: gen,
                arguments: [
                    "--clang", clang.path,
                    "--input", source.path,
                    "--output", output.path,
                    "--include", includeDir.path,
                    "--package-dir", packageDir.path,
                    // Test targets keep the DWARF: their tests read it as libbpf's inputs carry it.
                    "--strip-dwarf", target.kind == .test ? "no" : "yes",
                ],
                inputFiles: [source] + headers + localHeaders,
                outputFiles: [output]
            )
        }
    }

    static func files(in dir: URL, where match: (String) -> Bool) -> [URL] {
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        var out: [URL] = []
        for case let url as URL in e where match(url.lastPathComponent) { out.append(url) }
        return out.sorted { $0.path < $1.path }
    }
}
