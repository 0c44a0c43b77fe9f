import Foundation
import PackagePlugin

extension BPFCompiler {
    /// One command per `*.bpf.swift` below the target's folder: BPFSwiftCompiler compiles the
    /// Swift BPF program (against `BPFKernel`) and writes the same `EmbeddedObjects.<name>`
    /// accessor BPFGen writes for a `*.bpf.c`.
    func swiftProgramCommands(context: PluginContext, target: SourceModuleTarget) throws -> [Command] {
        let sources = Self.files(in: target.directoryURL) { $0.hasSuffix(".bpf.swift") }
        guard !sources.isEmpty else { return [] }
        // A C twin of the same name would generate a second `EmbeddedObjects.<name>`.
        let cNames = Set(Self.files(in: target.directoryURL) { $0.hasSuffix(".bpf.c") }.map { $0.lastPathComponent.dropLast(".bpf.c".count) })
        for source in sources where cNames.contains(source.lastPathComponent.dropLast(".bpf.swift".count)) {
            throw SwiftProgramNameClash(description: "\(source.path): a .bpf.c file of the same name also defines EmbeddedObjects for it; rename one of them")
        }
        let swiftc = try context.tool(named: "swiftc").url
        let clang = try context.tool(named: "clang").url
        let compiler = try context.tool(named: "BPFSwiftCompiler").url
        let packageDir = context.package.directoryURL
        // BPFKernel's sources (Swift, and C for CO-RE reads against BPFInclude/vmlinux.h), when
        // the package being built is SwiftBPF itself: edits rebuild.
        let kernel = Self.files(in: packageDir.appending(path: "BPFKernel")) { $0.hasSuffix(".swift") || $0.hasSuffix(".c") }
            + Self.files(in: packageDir.appending(path: "BPFInclude")) { $0 == "vmlinux.h" }
        // BPFKernel is compiled once for all the target's programs (it is most of a program's
        // build time). The stamp is an empty Swift file: an output SwiftPM compiles harmlessly
        // and the program commands list as an input, so they run after it.
        let kernelBuild = context.pluginWorkDirectoryURL.appending(path: "BPFKernel.build")
        let stamp = context.pluginWorkDirectoryURL.appending(path: "BPFKernel.stamp.swift")
        let kernelCommand = Command.buildCommand(
            displayName: "Compiling BPFKernel for Swift BPF programs",
            executable: compiler,
            arguments: ["--swiftc", swiftc.path, "--clang", clang.path, "--emit-kernel-module", kernelBuild.path,
                        "--stamp", stamp.path, "--package-dir", packageDir.path],
            inputFiles: kernel,
            outputFiles: [stamp]
        )
        return [kernelCommand] + sources.map { source in
            let base = String(source.lastPathComponent.dropLast(".bpf.swift".count))
            // `.bpfswift.swift`: a C program of the same base name writes `<base>.bpf.swift`.
            let output = context.pluginWorkDirectoryURL.appending(path: "\(base).bpfswift.swift")
            let embedding = Self.embeddingFile(base, in: context)
            return .buildCommand(
                displayName: "Compiling Swift BPF program \(source.lastPathComponent)",
                executable: compiler,
                arguments: [
                    "--swiftc", swiftc.path,
                    "--clang", clang.path,
                    "--input", source.path,
                    "--output", output.path,
                    "--embedding", embedding.path,
                    "--work-dir", context.pluginWorkDirectoryURL.appending(path: "\(base).bpfswift.work").path,
                    "--package-dir", packageDir.path,
                    "--kernel-build", kernelBuild.path,
                    "--strip-dwarf", target.kind == .test ? "no" : "yes",
                ],
                inputFiles: [source, stamp] + kernel,
                outputFiles: [output, embedding]
            )
        }
    }
}

/// Two BPF programs of one target that would embed under the same name.
struct SwiftProgramNameClash: Error, CustomStringConvertible {
    var description: String
}
