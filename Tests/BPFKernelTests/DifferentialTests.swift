import BPF
import Foundation
import Testing

/// SwiftBPF against libbpf: the same object loaded by `bpftool prog loadall` (libbpf) and by
/// SwiftBPF must give the same translated instructions in the kernel, program by program.
@Suite(.serialized, .enabled(if: isRoot && Bpftool.path != nil, "needs root and bpftool (Scripts/setup-host.sh installs it)"))
struct DifferentialTests {
    static let objects: [EmbeddedObject] = [
        EmbeddedObjects.diffGlobals, EmbeddedObjects.diffCore,
        EmbeddedObjects.extKconfig, EmbeddedObjects.extKsym, EmbeddedObjects.extKfunc,
    ]

    @Test(arguments: objects.map(\.name))
    func sameXlatedAsLibbpf(_ name: String) throws {
        let embedded = Self.objects.first { $0.name == name }!
        let file = try ObjectFile(embedded)
        let theirs = try PinDirectory("libbpf")
        let ours = try PinDirectory("swiftbpf")

        let r = try Bpftool.loadAll(object: file.path, pinDirectory: theirs.path)
        try #require(r.status == 0, "bpftool prog loadall failed: \(r.stderr)")
        let object = try BPFObject(path: file.path)
        try object.pinPrograms(in: ours.path)

        let spec = object.spec
        #expect(!spec.mainPrograms.isEmpty)
        for p in spec.mainPrograms {
            let libbpf = try Bpftool.xlated(pinned: theirs.path + "/" + p.name)
            let swift = try Bpftool.xlated(pinned: ours.path + "/" + p.name)
            #expect(!swift.isEmpty)
            #expect(swift == libbpf, "program \(p.name) differs:\n--- libbpf\n\(libbpf)\n--- SwiftBPF\n\(swift)")
            // Same program tag: the kernel's hash of the instructions before map fds were patched in.
            let a = try Program.open(pinned: theirs.path + "/" + p.name).info()
            let b = try Program.open(pinned: ours.path + "/" + p.name).info()
            #expect(a.tag == b.tag, "program \(p.name) tags differ")
        }
    }
}
