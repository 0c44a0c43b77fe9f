import BPF
import Testing

/// Loads `embedded` with libbpf (`bpftool prog loadall`) and with SwiftBPF, and expects the
/// same translated instructions and the same program tag for every program.
func expectSameAsLibbpf(_ embedded: EmbeddedObject, checkTags: Bool = true) throws {
    let file = try ObjectFile(embedded)
    let theirs = try PinDirectory("libbpf")
    let ours = try PinDirectory("swiftbpf")

    let r = try Bpftool.loadAll(object: file.path, pinDirectory: theirs.path)
    try #require(r.status == 0, "bpftool prog loadall failed: \(r.stderr)")
    let object = try BPFObject(path: file.path)
    try object.pinPrograms(in: ours.path)

    #expect(!object.spec.mainPrograms.isEmpty)
    for p in object.spec.mainPrograms {
        let libbpf = try Bpftool.xlated(pinned: theirs.path + "/" + p.name)
        let swift = try Bpftool.xlated(pinned: ours.path + "/" + p.name)
        #expect(!swift.isEmpty)
        #expect(swift == libbpf, "program \(p.name) differs:\n--- libbpf\n\(libbpf)\n--- SwiftBPF\n\(swift)")
        guard checkTags else { continue }
        // The tag is the kernel's hash of the instructions before map fds were patched in.
        let a = try Program.open(pinned: theirs.path + "/" + p.name).info()
        let b = try Program.open(pinned: ours.path + "/" + p.name).info()
        #expect(a.tag == b.tag, "program \(p.name) tags differ")
    }
}
