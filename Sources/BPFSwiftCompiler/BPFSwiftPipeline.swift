import BPFSwiftIR
import Foundation

/// The steps from a `*.bpf.swift` file to an object, each a process run in `workDirectory`.
struct BPFSwiftPipeline {
    var swiftc: String
    var clang: String
    /// The folder holding `BPFKernel`'s Swift sources.
    var kernelModule: String
    var workDirectory: String
    /// Replaced by `.` in debug paths, so objects do not depend on the checkout's location.
    var packageDirectory: String?
    /// `BPFInclude` (vmlinux.h) for BPFKernel's C part.
    var includeDirectory: String
    /// A folder holding a `BPFKernel.swiftmodule` built by `emitKernelModule`, or nil to build one.
    var prebuiltKernel: String? = nil

    struct ToolFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Embedded Swift for the stand-in target. `-O` inlines everything into the programs and
    /// keeps Swift's checks: a check that can fail stays a trap, which the rewrite reports at
    /// its line (`-Ounchecked` would turn `fatalError` and failed checks into undefined
    /// behaviour silently). Exclusivity checks would call the runtime; the stack protector
    /// would add `sspreq` to functions with address-taken locals.
    var swiftFlags: [String] {
        var flags = ["-enable-experimental-feature", "Embedded", "-enable-experimental-feature", "Extern",
                     "-target", "x86_64-unknown-none-elf", "-wmo", "-parse-as-library", "-O",
                     "-enforce-exclusivity=unchecked", "-Xfrontend", "-disable-stack-protector", "-g",
                     "-module-cache-path", workDirectory + "/ModuleCache"]
        if let packageDirectory { flags += ["-debug-prefix-map", "\(packageDirectory)=."] }
        flags += ["-debug-prefix-map", "\(workDirectory)=."]
        return flags
    }

    /// What one program compiles to.
    struct Output {
        /// The object to embed and load.
        var object: Data
        /// The same program with one global of each ring buffer record (see
        /// `BPFProgramDeclarations.recordStub`), for the typed bindings only.
        var bindingsObject: Data
        var declarations: BPFProgramDeclarations
    }

    func compile(input: String) throws -> Output {
        let fm = FileManager.default
        try fm.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let source = try String(contentsOfFile: input, encoding: .utf8)
        let displayPath = URL(fileURLWithPath: input).standardizedFileURL.path
        let declarations = try BPFProgramDeclarations(source: source, file: displayPath)

        // 1. BPFKernel as a module, unless a prebuilt one is given (the plugin builds it once
        //    per target for all its programs).
        let kernelBuild: String
        if let prebuiltKernel {
            kernelBuild = prebuiltKernel
        } else {
            kernelBuild = workDirectory
            try emitKernelModule(into: workDirectory)
        }

        // 2. The program, its declarations replaced in place; #sourceLocation keeps the
        //    diagnostics and debug lines on the user's file.
        let unit = workDirectory + "/program.swift"
        let text = "import BPFKernel\n#sourceLocation(file: \"\(displayPath)\", line: 1)\n" + declarations.swiftSource + "\n"
        try text.write(toFile: unit, atomically: true, encoding: .utf8)
        let module = "BPFProgram"
        try run(swiftc, swiftFlags + ["-I", kernelBuild, "-module-name", module, "-emit-ir", unit,
                                      "-o", workDirectory + "/program.ll"], what: "swiftc")

        // 3. The rewrite.
        let ir = try String(contentsOfFile: workDirectory + "/program.ll", encoding: .utf8)
        let rewritten = try BPFIRRewriter(volatileGlobals: Set(declarations.constants.map(\.name))).rewrite(ir)
        try rewritten.write(toFile: workDirectory + "/program.bpf.ll", atomically: true, encoding: .utf8)

        // 4. The program's CO-RE reads (KernelRead declarations) to bitcode, before anything
        //    else is linked, so a struct or field vmlinux.h lacks fails at its Swift line.
        let core = try declarations.coreStub.map { try compileCoreReads($0, declarations: declarations, file: displayPath) }

        // 5. The C stub to bitcode, then the object; the same with the record stub for the
        //    bindings when a ring buffer has a record (its layout is then in the BTF).
        let object = try link(stub: declarations.cStub, name: "program", kernelBuild: kernelBuild, core: core)
        let bindingsObject = declarations.ringBufferRecords.isEmpty
            ? object : try link(stub: declarations.recordStub, name: "records", kernelBuild: kernelBuild, core: core)
        return Output(object: object, bindingsObject: bindingsObject, declarations: declarations)
    }

    /// Compiles the rewritten program with the C stub `stub` linked in, to `<name>.o`.
    func link(stub: String, name: String, kernelBuild: String, core: String? = nil) throws -> Data {
        try stub.write(toFile: workDirectory + "/\(name).maps.c", atomically: true, encoding: .utf8)
        let prefixMap = "-fdebug-prefix-map=\(workDirectory)=."
        try run(clang, ["-target", "bpf", "-mcpu=v3", "-O2", "-g", prefixMap, "-emit-llvm", "-c", workDirectory + "/\(name).maps.c",
                        "-o", workDirectory + "/\(name).maps.bc"], what: "clang (map stub)")
        let object = workDirectory + "/\(name).o"
        try run(clang, ["-target", "bpf", "-mcpu=v3", "-O2", "-g", prefixMap, "-Wno-override-module",
                        "-c", workDirectory + "/program.bpf.ll",
                        "-Xclang", "-mlink-bitcode-file", "-Xclang", workDirectory + "/\(name).maps.bc"]
                        // Internalized on linking: inlined where used, gone elsewhere.
                        + (kernelBitcode(in: kernelBuild) + (core.map { [$0] } ?? []))
                            .flatMap { ["-Xclang", "-mlink-builtin-bitcode", "-Xclang", $0] }
                        + ["-o", object],
                what: "clang -target bpf", explain: Self.explainClang)
        return try Data(contentsOf: URL(fileURLWithPath: object))
    }

    /// Compiles the C of the program's `KernelRead` declarations against vmlinux.h to bitcode,
    /// with the flags of BPFKernel's CoreReads.c; returns the bitcode's path. clang's errors
    /// become `BPFProgramRejected` at the declarations' Swift lines.
    func compileCoreReads(_ stub: String, declarations: BPFProgramDeclarations, file: String) throws -> String {
        let source = workDirectory + "/program.core.c", out = workDirectory + "/program.core.bc"
        try stub.write(toFile: source, atomically: true, encoding: .utf8)
        var flags = ["-target", "bpf", "-mcpu=v3", "-O2", "-g", "-D__TARGET_ARCH_x86", "-I", includeDirectory,
                     "-fno-caret-diagnostics", "-fno-color-diagnostics", "-fdebug-prefix-map=\(workDirectory)=.",
                     // BPF_CORE_READ's temporary of a const member (`cred`): harmless, and noise.
                     "-Wno-unknown-warning-option", "-Wno-default-const-init-var-unsafe"]
        if let packageDirectory { flags.append("-fdebug-prefix-map=\(packageDirectory)=.") }
        if FileManager.default.fileExists(atPath: Self.multiarchInclude) { flags += ["-idirafter", Self.multiarchInclude] }
        do {
            try run(clang, flags + ["-emit-llvm", "-c", source, "-o", out], what: "clang (CO-RE reads)")
        } catch let failure as ToolFailed {
            let located = BPFProgramDeclarations.KernelFieldRead.diagnostics(clangErrors: failure.description, file: file,
                                                                             reads: declarations.kernelReads)
            if located.isEmpty { throw failure }
            throw BPFProgramRejected(diagnostics: located)
        }
        return out
    }

    /// Compiles `BPFKernel` to `directory/BPFKernel.swiftmodule` (in Embedded mode a module
    /// carries every body, so programs inline from it). It uses Builtin atomics: -parse-stdlib.
    func emitKernelModule(into directory: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let kernelSources = try fm.contentsOfDirectory(atPath: kernelModule).filter { $0.hasSuffix(".swift") }.sorted()
            .map { kernelModule + "/" + $0 }
        guard !kernelSources.isEmpty else { throw ToolFailed(description: "no BPFKernel sources in \(kernelModule)") }
        try run(swiftc, swiftFlags + ["-parse-stdlib", "-module-name", "BPFKernel", "-emit-module",
                                      "-emit-module-path", directory + "/BPFKernel.swiftmodule"] + kernelSources,
                what: "swiftc (BPFKernel)")
        // Its C part: CO-RE reads against vmlinux.h, to bitcode linked into every program.
        let cSources = try fm.contentsOfDirectory(atPath: kernelModule).filter { $0.hasSuffix(".c") }.sorted()
        var bitcode: [String] = []
        for c in cSources {
            let out = directory + "/" + String(c.dropLast(2)) + ".bc"
            var flags = ["-target", "bpf", "-mcpu=v3", "-O2", "-g", "-D__TARGET_ARCH_x86", "-I", includeDirectory,
                         "-fdebug-prefix-map=\(kernelModule)=BPFKernel", "-emit-llvm", "-c", kernelModule + "/" + c, "-o", out]
            if FileManager.default.fileExists(atPath: Self.multiarchInclude) { flags += ["-idirafter", Self.multiarchInclude] }
            try run(clang, flags, what: "clang (BPFKernel \(c))")
            bitcode.append(out)
        }
        try bitcode.joined(separator: "\n").write(toFile: directory + "/BPFKernel.bitcode", atomically: true, encoding: .utf8)
    }

    /// `<linux/types.h>` includes `<asm/types.h>`, which Debian keeps under the multiarch folder.
    #if arch(x86_64)
    static let multiarchInclude = "/usr/include/x86_64-linux-gnu"
    #else
    static let multiarchInclude = "/usr/include/aarch64-linux-gnu"
    #endif

    /// The bitcode files of BPFKernel's C part, listed by `emitKernelModule`.
    func kernelBitcode(in directory: String) -> [String] {
        guard let list = try? String(contentsOfFile: directory + "/BPFKernel.bitcode", encoding: .utf8) else { return [] }
        return list.split(separator: "\n").map(String.init)
    }

    /// Removes `.debug_*` (the loader reads only `.BTF` and `.BTF.ext`).
    func stripDWARF(_ object: Data) throws -> Data {
        let objcopy = URL(fileURLWithPath: clang).deletingLastPathComponent().appendingPathComponent("llvm-objcopy").path
        guard FileManager.default.isExecutableFile(atPath: objcopy) else { return object }
        let path = workDirectory + "/program.stripped.o"
        try object.write(to: URL(fileURLWithPath: path))
        try run(objcopy, ["--strip-debug", path], what: "llvm-objcopy")
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// clang's BPF backend errors once each (it repeats one per inlined frame, most of them at
    /// `<compiler-generated>:0:0`), with what to do in Swift terms where the cause is known.
    static func explainClang(_ stderr: String) -> String {
        var seen: Set<String> = []
        var lines: [String] = []
        for line in stderr.split(separator: "\n").map(String.init) {
            let message = line.range(of: " in function ").map { String(line[$0.upperBound...]) } ?? line
            if line.contains("<compiler-generated>:0:0"), seen.contains(message) || stderr.contains(".swift:") { continue }
            if seen.insert(message).inserted || !line.hasPrefix("error:") { lines.append(line) }
        }
        if stderr.contains("stack limit") {
            lines.append("note: the program needs more than BPF's 512 bytes of stack: keep large values in a PerCPUArray map, not in locals")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func run(_ tool: String, _ arguments: [String], what: String, explain: (String) -> String = { $0 }) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: workDirectory)
        let err = Pipe()
        p.standardError = err
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else {
            throw ToolFailed(description: "\(what) failed:\n" + explain(text))
        }
        if !text.isEmpty { FileHandle.standardError.write(data) }
    }
}
