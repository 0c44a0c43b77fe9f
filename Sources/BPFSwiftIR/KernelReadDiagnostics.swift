import Foundation

extension BPFProgramDeclarations.KernelFieldRead {
    /// The errors clang gave compiling `BPFProgramDeclarations.coreStub`, as errors at the
    /// declarations' Swift lines (the stub's `#line` puts clang's errors there): the first error
    /// of each line, said in terms of the declaration. Empty when no error names `file`.
    public static func diagnostics(clangErrors stderr: String, file: String,
                                   reads: [BPFProgramDeclarations.KernelFieldRead]) -> [BPFSourceDiagnostic] {
        let byLine = Dictionary(reads.map { ($0.line, $0) }, uniquingKeysWith: { first, _ in first })
        let lines = stderr.split(separator: "\n").map(String.init)
        var out: [BPFSourceDiagnostic] = []
        var seen: Set<Int> = []
        for (i, text) in lines.enumerated() {
            guard text.hasPrefix(file + ":"), let error = text.range(of: ": error: ") else { continue }
            let position = text[text.index(text.startIndex, offsetBy: file.count + 1)..<error.lowerBound].split(separator: ":")
            guard let lineNumber = position.first.flatMap({ Int($0) }), let read = byLine[lineNumber],
                  seen.insert(lineNumber).inserted else { continue }
            let note = lines.dropFirst(i + 1).prefix { !$0.contains(": error: ") }.first { $0.contains("expression evaluates to") }
            let cause = read.explain(String(text[error.upperBound...]), note: note)
            out.append(BPFSourceDiagnostic(file: file, line: lineNumber, column: 1, message: cause))
        }
        return out
    }

    /// The declaration as written, for messages.
    var spelling: String {
        swiftType.map { "KernelRead<\($0)>(\"\(structName)\", \"\(path)\")" }
            ?? "KernelBytesRead(\"\(structName)\", \"\(path)\", bytes: \(size))"
    }

    /// clang's `message` about this read, in the declaration's terms.
    func explain(_ message: String, note: String?) -> String {
        let field = "\(structName).\(path)"
        if message.hasPrefix("incomplete definition of type 'struct \(structName)'") {
            return "\(spelling): the build's vmlinux.h (BPFInclude) has no struct \(structName)"
        }
        if message.contains("static assertion failed") {
            // clang's note: "expression evaluates to '4 == 8'" (the field's size, then ours).
            let actual = note.flatMap { n in n.range(of: "'").map { n[$0.upperBound...].prefix { $0.isNumber } } }.map(String.init)
            let kind = swiftType.map { "\($0) has \(size) bytes" } ?? "bytes: \(size) is"
            return "\(spelling): \(kind), but \(field) in vmlinux.h has \(actual ?? "another size")\(actual == nil ? "" : " bytes")"
        }
        if message.contains("bit-field") {
            return "\(spelling): \(field) is a bitfield, which KernelRead does not read (read it in C with BPF_CORE_READ_BITFIELD)"
        }
        if message.contains("did you mean to use '->'") {
            return "\(spelling): \(message) (a pointer member is followed with `->`, e.g. \"real_parent->tgid\")"
        }
        return "\(spelling): \(message) (in the build's vmlinux.h)"
    }
}
