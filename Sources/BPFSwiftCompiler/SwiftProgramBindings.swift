import BPF
import BPFBindings
import Foundation

/// The typed bindings of a Swift BPF program's object, as BPFGen writes them for a `*.bpf.c`:
/// programs, maps with their key and value types (from the C stub's map definitions), ring
/// buffers with their record (`RingBuffer<Record>`), globals and load-time constants.
enum SwiftProgramBindings {
    /// The Swift source, or a comment and a warning when the object cannot be read (the
    /// embedded object stays usable by name).
    static func generate(object: Data, base: String, identifier: String, sourceName: String,
                         ringBufferRecords: [String: String]) -> String {
        do {
            let spec = try ObjectSpec(bytes: [UInt8](object), name: base)
            var options = BindingsGenerator.Options(
                typeName: BindingsGenerator.typeName(forObject: base), embedding: .plugin(identifier: identifier),
                sourceName: sourceName)
            options.includeImport = false
            options.ringBufferRecords = ringBufferRecords
            options.recordStructs = Set(ringBufferRecords.values).sorted()
            return "\n" + (try BindingsGenerator(spec: spec, options: options).generate())
        } catch {
            let why = "\(error)".split(separator: "\n").joined(separator: " ")
            FileHandle.standardError.write(Data("warning: BPFSwiftCompiler: no typed bindings for \(sourceName): \(why)\n".utf8))
            return "\n// No typed bindings for \(sourceName): \(why)\n"
        }
    }
}
