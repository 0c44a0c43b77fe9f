import Foundation

extension BPFProgramDeclarations {
    /// A CO-RE read declared in Swift, one top-level line:
    ///
    ///     let parentTGID = KernelRead<UInt32>("task_struct", "real_parent->tgid")
    ///     let command = KernelBytesRead("task_struct", "comm", bytes: 16)
    ///
    /// It becomes a C function reading the field with `BPF_CORE_READ` against the build's
    /// vmlinux.h (`coreStub`), compiled to bitcode and linked as BPFKernel/CoreReads.c is, and,
    /// on the same Swift line, an accessor type calling it and a global wrapping that type.
    public struct KernelFieldRead: Equatable, Sendable {
        public var name: String
        /// The kernel struct the read starts from, without `struct` (`task_struct`).
        public var structName: String
        /// The member path after `p->`, in C: `->` follows a pointer, `.` an embedded member.
        public var path: String
        /// The Swift scalar type of a `KernelRead`, or nil for a `KernelBytesRead`.
        public var swiftType: String?
        /// The field's size in bytes, checked against vmlinux.h at build time.
        public var size: Int
        public var line: Int

        /// The C function the build links in.
        public var cFunction: String { "swiftbpf_read_\(name)" }

        /// The arguments of `BPF_CORE_READ` after the root: the path split at each `->`.
        var accessors: [String] { path.components(separatedBy: "->") }
    }

    static let kernelReadPattern = try! NSRegularExpression(pattern:
        #"^(?:public\s+)?let\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*KernelRead<\s*([A-Za-z0-9_]+)\s*>\(\s*"([^"]*)"\s*,\s*"([^"]*)"\s*\)\s*(//.*)?$"#)
    static let kernelBytesPattern = try! NSRegularExpression(pattern:
        #"^(?:public\s+)?let\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*KernelBytesRead\(\s*"([^"]*)"\s*,\s*"([^"]*)"\s*,\s*bytes\s*:\s*([0-9_]+)\s*\)\s*(//.*)?$"#)
    static let cIdentifier = try! NSRegularExpression(pattern: #"^[A-Za-z_][A-Za-z0-9_]*$"#)
    static let memberPath = try! NSRegularExpression(pattern: #"^[A-Za-z_][A-Za-z0-9_]*(?:(?:->|\.)[A-Za-z_][A-Za-z0-9_]*)*$"#)

    /// Parses a `KernelRead`/`KernelBytesRead` line; nil when `line` is neither.
    static func kernelRead(_ line: String, index: Int) -> Result<KernelFieldRead, LineProblem>? {
        let range = NSRange(line.startIndex..., in: line)
        let scalar = kernelReadPattern.firstMatch(in: line, range: range)
        guard let m = scalar ?? kernelBytesPattern.firstMatch(in: line, range: range) else { return nil }
        func group(_ n: Int) -> String { Range(m.range(at: n), in: line).map { String(line[$0]) } ?? "" }
        let name = group(1)
        let structName = scalar != nil ? group(3) : group(2)
        let path = scalar != nil ? group(4) : group(3)
        func matches(_ pattern: NSRegularExpression, _ text: String) -> Bool {
            pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        guard matches(cIdentifier, structName) else {
            return .failure(LineProblem("\(structName.isEmpty ? "an empty name" : structName) is not a kernel struct name: give it without `struct`, e.g. \"task_struct\""))
        }
        guard matches(memberPath, path) else {
            return .failure(LineProblem("\"\(path)\" is not a member path: write it as in C after `p->`, `->` following a pointer and `.` an embedded member, e.g. \"real_parent->tgid\" or \"cred->uid.val\""))
        }
        if scalar != nil {
            let type = group(2)
            guard let c = SwiftStructLayouts.scalars[type] else {
                return .failure(LineProblem("KernelRead reads an integer type or Bool, not \(type); copy arrays with KernelBytesRead(\"\(structName)\", \"\(path)\", bytes: N)"))
            }
            return .success(KernelFieldRead(name: name, structName: structName, path: path, swiftType: type, size: c.size, line: index + 1))
        }
        guard let count = Int(group(4).replacingOccurrences(of: "_", with: "")), count > 0, count <= 512 else {
            return .failure(LineProblem("a KernelBytesRead copies 1 to 512 bytes"))
        }
        return .success(KernelFieldRead(name: name, structName: structName, path: path, swiftType: nil, size: count, line: index + 1))
    }

    /// A declaration's problem, located by the caller.
    struct LineProblem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// The Swift that replaces a read's line: the C function, an accessor type calling it, and
    /// the global the program uses.
    static func swiftDeclaration(_ read: KernelFieldRead) -> String {
        let accessor = "_SwiftBPFRead_\(read.name)"
        let task = read.structName == "task_struct" ? "Task" : ""
        let function = "_swiftbpf_read_\(read.name)"
        if let type = read.swiftType {
            return "@_extern(c, \"\(read.cFunction)\") func \(function)(_ structure: UnsafeRawPointer?) -> \(type); "
                + "enum \(accessor): Kernel\(task)FieldAccessor { @_transparent static func read(_ structure: UnsafeRawPointer?) -> \(type) { \(function)(structure) } }; "
                + "var \(read.name): KernelRead<\(accessor)> { KernelRead() }"
        }
        return "@_extern(c, \"\(read.cFunction)\") func \(function)(_ structure: UnsafeRawPointer?, _ buffer: UnsafeMutableRawPointer) -> Int64; "
            + "enum \(accessor): Kernel\(task)BytesAccessor { @_transparent static var byteCount: Int { \(read.size) }; "
            + "@_transparent static func read(_ structure: UnsafeRawPointer?, into buffer: UnsafeMutableRawPointer) -> Int64 { \(function)(structure, buffer) } }; "
            + "var \(read.name): KernelBytesRead<\(accessor)> { KernelBytesRead() }"
    }

    /// The C of the reads: one always-inline function per declaration (a pointer member read as
    /// `UInt64` is cast to its address), on one line preceded by
    /// `#line` so that clang's errors (a struct or member vmlinux.h lacks, a size that differs)
    /// name the Swift declaration's line. nil when the program declares no read.
    static func coreStub(_ reads: [KernelFieldRead], file: String) -> String? {
        guard !reads.isEmpty else { return nil }
        let quoted = file.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        var c = """
        /* Generated by BPFSwiftCompiler from \((file as NSString).lastPathComponent): CO-RE reads declared with KernelRead. */
        #include "vmlinux.h"
        #include <bpf/bpf_helpers.h>
        #include <bpf/bpf_core_read.h>

        """
        for read in reads {
            let root = "((struct \(read.structName) *)structure)"
            let field = "\(root)->\(read.path)"
            let check = "_Static_assert(sizeof(\(field)) == \(read.size), \"size\");"
            c += "#line \(read.line) \"\(quoted)\"\n"
            if let type = read.swiftType {
                let cType = SwiftStructLayouts.scalars[type]!.c
                c += "__attribute__((always_inline)) \(cType) \(read.cFunction)(const void *structure) { \(check) "
                    + "return (\(cType))BPF_CORE_READ(\(root), \(read.accessors.joined(separator: ", "))); }\n"
            } else {
                c += "__attribute__((always_inline)) long \(read.cFunction)(const void *structure, void *buffer) { \(check) "
                    + "return BPF_CORE_READ_INTO((typeof(\(field)) *)buffer, \(root), \(read.accessors.joined(separator: ", "))); }\n"
            }
        }
        return c
    }
}
