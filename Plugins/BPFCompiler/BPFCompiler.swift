import Foundation
import PackagePlugin

/// Compiles every `*.bpf.c` below a target's folder with the toolchain's clang
/// (`-target bpf -g -O2`) and embeds each object into the target as a generated Swift file,
/// without its DWARF except in test targets.
/// The C files live in `bpf/` subfolders that the target excludes, so SwiftPM does not see
/// them as C sources; this plugin lists them itself.
///
/// Headers are found, in this order: the program's own folder (and every folder below the
/// target holding a `*.bpf.c`), the using package's `BPFInclude/` if it has one, then SwiftBPF's
/// `BPFInclude/` (the complete `vmlinux.h` and `swiftbpf_tool.h`), wherever SwiftBPF is: this
/// package itself, a path dependency or a checked-out remote dependency.
@main
struct BPFCompiler: BuildToolPlugin {
    /// The manifest name of the package that ships the plugin and `BPFInclude/`.
    static let swiftBPFPackageName = "SwiftBPF"

    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let clang = try context.tool(named: "clang").url
        let gen = try context.tool(named: "BPFGen").url
        let packageDir = context.package.directoryURL
        let includeDirs = Self.includeDirectories(for: context.package)
        let headers = includeDirs.flatMap { Self.files(in: $0) { $0.hasSuffix(".h") } }
        let sources = Self.files(in: target.directoryURL) { $0.hasSuffix(".bpf.c") }
        return try swiftProgramCommands(context: context, target: target) + sources.map { source in
            let base = source.deletingPathExtension().deletingPathExtension().lastPathComponent
            let output = context.pluginWorkDirectoryURL.appending(path: "\(base).bpf.swift")
            let embedding = Self.embeddingFile(base, in: context)
            let localHeaders = Self.files(in: source.deletingLastPathComponent()) { $0.hasSuffix(".h") }
            var arguments = ["--clang", clang.path, "--input", source.path, "--output", output.path,
                             "--embedding", embedding.path]
            for dir in includeDirs { arguments += ["--include", dir.path] }
            arguments += [
                "--package-dir", packageDir.path,
                // Test targets keep the DWARF: their tests read it as libbpf's inputs carry it.
                "--strip-dwarf", target.kind == .test ? "no" : "yes",
            ]
            return .buildCommand(
                displayName: "Compiling BPF program \(source.lastPathComponent)",
                executable: gen,
                arguments: arguments,
                inputFiles: [source] + headers + localHeaders,
                outputFiles: [output, embedding]
            )
        }
    }

    /// The generated file that holds only the object of `base` (its hex literal), apart from the
    /// record types and bindings.
    ///
    /// SwiftPM links a target's object files in file-name order, and the linker lays out their
    /// read-only data in that order. The generated record and binding types' descriptors sit in
    /// the same data and are touched at startup by every tool (execsnoop touched the firewall's),
    /// so an object's hex beside them was paged in with them. Named to sort after every other
    /// file (`~` follows the letters), a target's objects sit together at its end, one block.
    static func embeddingFile(_ base: String, in context: PluginContext) -> URL {
        context.pluginWorkDirectoryURL.appending(path: "~embedded.\(base).swift")
    }

    /// The `BPFInclude/` folders to search: the using package's own (if any), then SwiftBPF's.
    static func includeDirectories(for package: Package) -> [URL] {
        var dirs: [URL] = []
        let own = package.directoryURL.appending(path: "BPFInclude")
        if isDirectory(own) { dirs.append(own) }
        if let swiftBPF = findSwiftBPF(from: package) {
            let shipped = swiftBPF.directoryURL.appending(path: "BPFInclude")
            if isDirectory(shipped), shipped.standardizedFileURL != own.standardizedFileURL { dirs.append(shipped) }
        }
        return dirs
    }

    /// SwiftBPF itself, or the SwiftBPF package among `package`'s dependencies (searched
    /// breadth-first, so a package that depends on SwiftBPF through another one finds it too).
    /// Matched by manifest name, which stays `SwiftBPF` whatever the folder or URL is called.
    static func findSwiftBPF(from package: Package) -> Package? {
        var queue = [package]
        var seen = Set<String>()
        while !queue.isEmpty {
            let next = queue.removeFirst()
            guard seen.insert(next.id).inserted else { continue }
            if next.displayName == swiftBPFPackageName { return next }
            queue += next.dependencies.map(\.package)
        }
        return nil
    }

    static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    static func files(in dir: URL, where match: (String) -> Bool) -> [URL] {
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        var out: [URL] = []
        for case let url as URL in e where match(url.lastPathComponent) { out.append(url) }
        return out.sorted { $0.path < $1.path }
    }
}
