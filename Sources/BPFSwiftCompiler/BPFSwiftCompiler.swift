import BPFBindings
import BPFSwiftIR
import Foundation

/// Build-time tool run by the BPFCompiler plugin for `*.bpf.swift`: compiles one Swift BPF
/// program to a libbpf-style object and writes a Swift file embedding it, as BPFGen does for C.
///
/// Pipeline (see `BPFSwiftPipeline`): `BPFKernel` and the program are compiled by `swiftc` in
/// Embedded mode for the stand-in target `x86_64-unknown-none-elf` to LLVM IR; `BPFIRRewriter`
/// makes that IR BPF's; clang compiles it with `-target bpf`, linking the bitcode of a C stub
/// that holds the map definitions and license written from the program's declarations. The
/// embedding file also holds the object's typed bindings (`swift_exec_events.bpf.swift` →
/// `SwiftExecEventsObject`), generated as BPFGen generates them for C.
@main
struct BPFSwiftCompiler {
    static func main() {
        var args = [String: String]()
        var it = CommandLine.arguments.dropFirst().makeIterator()
        while let key = it.next() {
            guard key.hasPrefix("--"), let value = it.next() else { fail("bad argument \(key)") }
            args[String(key.dropFirst(2))] = value
        }
        if let header = args["generate-helpers"] {
            generateHelpers(header: header, output: args["output"])
            return
        }
        if let list = args["generate-tracepoints"] {
            generateTracepoints(list, output: args["output"])
            return
        }
        if let ir = args["rewrite-ir"] {
            rewriteIR(input: ir, output: args["output"])
            return
        }
        guard let swiftc = args["swiftc"], let clang = args["clang"], args["input"] != nil || args["emit-kernel-module"] != nil else {
            fail("usage: BPFSwiftCompiler --swiftc PATH --clang PATH --input FILE.bpf.swift [--output FILE.swift] [--embedding FILE.swift] [--object FILE.o] [--work-dir DIR] [--kernel-module DIR] [--include DIR] [--kernel-build DIR] [--package-dir DIR] [--strip-dwarf yes|no]; or --emit-kernel-module DIR [--stamp FILE]; or --rewrite-ir FILE.ll [--output FILE]; or --generate-helpers bpf_helper_defs.h [--output FILE]; or --generate-tracepoints CATEGORY/NAME,... [--output FILE]")
        }
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        if let directory = args["emit-kernel-module"] {
            // Build BPFKernel once for several programs; `--stamp FILE` is written on success
            // (a file the build system can order the program commands after).
            let pipeline = BPFSwiftPipeline(swiftc: swiftc, clang: clang,
                                            kernelModule: absolute(args["kernel-module"] ?? defaultKernelModule),
                                            workDirectory: absolute(directory), packageDirectory: args["package-dir"].map(absolute),
                                            includeDirectory: absolute(args["include"] ?? defaultInclude))
            do {
                try pipeline.emitKernelModule(into: absolute(directory))
                if let stamp = args["stamp"] {
                    try "// BPFKernel.swiftmodule is built in \(directory).\n".write(toFile: stamp, atomically: true, encoding: .utf8)
                }
            } catch {
                fail("\(error)")
            }
            return
        }
        let inputArgument = args["input"]!
        guard args["output"] != nil || args["object"] != nil else { fail("give --output (embedding Swift file) or --object") }
        // Absolute paths: the tools run in the work directory.
        let work = absolute(args["work-dir"] ?? ((args["output"] ?? args["object"]!) + ".work"))
        let input = absolute(inputArgument)
        let pipeline = BPFSwiftPipeline(
            swiftc: swiftc, clang: clang,
            kernelModule: absolute(args["kernel-module"] ?? defaultKernelModule),
            workDirectory: work, packageDirectory: args["package-dir"].map(absolute),
            includeDirectory: absolute(args["include"] ?? defaultInclude),
            prebuiltKernel: args["kernel-build"].map(absolute))
        do {
            let compiled = try pipeline.compile(input: input)
            var object = compiled.object
            if args["strip-dwarf"] == "yes" { object = try pipeline.stripDWARF(object) }
            if let path = args["object"] { try object.write(to: URL(fileURLWithPath: path)) }
            if let path = args["output"] {
                let base = String(URL(fileURLWithPath: input).lastPathComponent.dropLast(".bpf.swift".count))
                // With --embedding the object goes to a file of its own (see BPFCompiler.embeddingFile).
                let embedded = embedding(of: object, input: input)
                if let separate = args["embedding"] { try embedded.write(toFile: separate, atomically: true, encoding: .utf8) }
                let text = (args["embedding"] == nil ? embedded : "import BPF\n\n")
                    + SwiftProgramBindings.generate(object: compiled.bindingsObject, base: base, identifier: identifier(base),
                                                    sourceName: URL(fileURLWithPath: input).lastPathComponent,
                                                    ringBufferRecords: compiled.declarations.ringBufferRecords)
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
        } catch let error as BPFProgramRejected {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            exit(1)
        } catch {
            fail("\(error)")
        }
    }

    /// Writes BPFKernel's tracepoint record types from this machine's format files, for a
    /// comma-separated list of `category/name`.
    static func generateTracepoints(_ list: String, output: String?) {
        var uts = utsname()
        uname(&uts)
        let kernel = withUnsafeBytes(of: uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var source = """
        // Generated by `BPFSwiftCompiler --generate-tracepoints \(list)`. Do not edit.
        import Swift

        """
        for item in list.split(separator: ",") {
            let parts = item.split(separator: "/")
            guard parts.count == 2 else { fail("\(item): give CATEGORY/NAME") }
            let path = "/sys/kernel/tracing/events/\(item)/format"
            guard let format = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
            source += TracepointRecordGenerator.swiftType(category: String(parts[0]), name: String(parts[1]), format: format, kernel: "Linux \(kernel)")
        }
        if let output {
            do { try source.write(toFile: output, atomically: true, encoding: .utf8) } catch { fail("\(error)") }
        } else {
            print(source, terminator: "")
        }
    }

    /// Runs only the IR rewrite on a `swiftc -emit-ir` output (for inspecting the step).
    static func rewriteIR(input: String, output: String?) {
        do {
            let text = try BPFIRRewriter().rewrite(try String(contentsOfFile: input, encoding: .utf8))
            if let output { try text.write(toFile: output, atomically: true, encoding: .utf8) } else { print(text) }
        } catch let error as BPFProgramRejected {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            exit(1)
        } catch {
            fail("\(error)")
        }
    }

    /// Writes BPFKernel's typed helpers from libbpf's `bpf_helper_defs.h`.
    static func generateHelpers(header: String, output: String?) {
        guard let text = try? String(contentsOfFile: header, encoding: .utf8) else { fail("cannot read \(header)") }
        let (helpers, skipped) = BPFHelperSignatures.parse(header: text)
        let source = BPFHelperSignatures.swiftSource(helpers, skipped: skipped, from: URL(fileURLWithPath: header).lastPathComponent)
        if let output {
            do { try source.write(toFile: output, atomically: true, encoding: .utf8) } catch { fail("\(error)") }
        } else {
            print(source, terminator: "")
        }
    }

    /// `BPFKernel/` of this package, found from this file's path (the package is checked out as
    /// source wherever the plugin runs).
    static var defaultKernelModule: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("BPFKernel").path
    }

    /// `BPFInclude/` of this package (vmlinux.h for BPFKernel's CO-RE reads).
    static var defaultInclude: String {
        URL(fileURLWithPath: defaultKernelModule).deletingLastPathComponent().appendingPathComponent("BPFInclude").path
    }

    /// The Swift file that embeds `object` as `EmbeddedObjects.<name>`, as BPFGen writes it.
    static func embedding(of object: Data, input: String) -> String {
        let file = URL(fileURLWithPath: input).lastPathComponent
        let base = String(file.dropLast(".bpf.swift".count))
        return """
        // Generated by BPFSwiftCompiler from \(file). Do not edit.
        import BPF

        extension EmbeddedObjects {
            /// The compiled object of `\(file)`.
            static let \(identifier(base)) = EmbeddedObject(name: "\(base)", hex: "\(BindingsGenerator.embeddedLiteral(object))")
        }

        """
    }

    static func identifier(_ s: String) -> String {
        var out = ""
        var upper = false
        for c in s {
            if c.isLetter || c.isNumber { out.append(upper ? Character(c.uppercased()) : c); upper = false } else { upper = true }
        }
        if let f = out.first, f.isNumber { out = "_" + out }
        return out
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("BPFSwiftCompiler: \(message)\n".utf8))
        exit(1)
    }
}
