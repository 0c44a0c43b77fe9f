/// A build error located in a Swift BPF source, printed as compilers print them
/// (`file:line:column: error: message`) so IDEs and `swift build` show it at the line.
public struct BPFSourceDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line):\(max(column, 1)): error: \(message)" : "\(file): error: \(message)"
    }
}

/// The rewrite refuses a module: every runtime call, external call or trap a program reaches.
public struct BPFProgramRejected: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [BPFSourceDiagnostic]
    public init(diagnostics: [BPFSourceDiagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
