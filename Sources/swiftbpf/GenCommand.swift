import ArgumentParser
import BPF
import BPFBindings

/// `swiftbpf gen`: typed Swift bindings for a BPF object built elsewhere, as `bpftool gen
/// skeleton` and bpf2go do for C and Go. The output is the same type the BPFCompiler plugin
/// generates for a package's own `bpf/*.bpf.c`, with the object's bytes inside it.
struct GenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "Generate typed Swift bindings (programs, maps, globals, C types) for a BPF object file.",
        discussion: """
            The object must carry BTF (clang -g). The generated type is named after the file \
            (execsnoop.bpf.o → ExecsnoopObject) unless --name is given, embeds the object, and \
            loads it with `load(config:options:)`. It needs `import BPF` from SwiftBPF and Swift 6.2 \
            (InlineArray).
            """
    )

    @Argument(help: "The BPF object file (ELF, with a .BTF section).")
    var object: String

    @Option(name: .long, help: "The Swift type's name (default: the file's base name in UpperCamelCase + Object).")
    var name: String?

    @Option(name: [.short, .long], help: "Write the Swift source to this file instead of standard output.")
    var output: String?

    @Flag(name: .long, help: "Declare the bindings public (for a library target).")
    var `public` = false

    @Option(name: .long, parsing: .singleValue, help: "A ring buffer's record struct, as MAP=STRUCT (repeatable).")
    var ringbuf: [String] = []

    @Option(name: .long, parsing: .singleValue, help: "A C struct to generate even if no map or global uses it (repeatable).")
    var record: [String] = []

    func run() throws {
        let bytes = try Syscalls.readFile(object)
        let fileName = String(object.split(separator: "/").last ?? Substring(object))
        let base = String(fileName.split(separator: ".").first ?? Substring(fileName))
        let spec: ObjectSpec
        do {
            spec = try ObjectSpec(bytes: bytes, name: ObjectNaming.objectName(fromPath: object))
        } catch {
            throw GenFailure(description: "\(object) is not a BPF object SwiftBPF can read: \(error)")
        }
        if let name { try Self.validateTypeName(name) }
        var options = BindingsGenerator.Options(
            typeName: name ?? BindingsGenerator.typeName(forObject: base), embedding: .inline(bytes: bytes), sourceName: fileName)
        options.isPublic = `public`
        options.recordStructs = record
        for pair in ringbuf {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--ringbuf takes MAP=STRUCT, got '\(pair)'")
            }
            options.ringBufferRecords[parts[0]] = parts[1]
        }
        let text: String
        do {
            text = try BindingsGenerator(spec: spec, options: options).generate()
        } catch {
            throw GenFailure(description: "cannot generate bindings for \(object): \(error)")
        }
        if let output {
            try Syscalls.writeFile(output, Array(text.utf8))
        } else {
            print(text, terminator: "")
        }
    }

    /// A Swift identifier: a letter or '_' first, then letters, digits and '_'.
    static func validateTypeName(_ name: String) throws {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
              name.unicodeScalars.allSatisfy({ $0 == "_" || $0.properties.isAlphabetic || $0.properties.numericType != nil }) else {
            throw ValidationError("--name must be a Swift type name (letters, digits, '_'), got '\(name)'")
        }
    }
}

/// A failure of `swiftbpf gen` with its cause (printed without the usage text).
struct GenFailure: Error, CustomStringConvertible {
    var description: String
}
