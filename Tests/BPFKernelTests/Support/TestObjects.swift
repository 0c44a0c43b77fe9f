import BPF
import Foundation

/// A test object written to a temporary folder as `<name>.bpf.o`, so libbpf (through bpftool)
/// and SwiftBPF derive the same object name, hence the same internal map names.
final class ObjectFile {
    let directory: String
    let path: String
    let name: String

    init(_ embedded: EmbeddedObject) throws {
        directory = NSTemporaryDirectory() + "swiftbpf-obj-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        name = embedded.name
        path = directory + "/" + embedded.name + ".bpf.o"
        try Data(embedded.bytes).write(to: URL(fileURLWithPath: path))
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

/// Counts this process's open file descriptors.
func openFDCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}
