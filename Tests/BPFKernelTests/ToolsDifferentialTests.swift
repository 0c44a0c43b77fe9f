import BPF
@testable import SwiftBPFTools
import Testing

/// The tools' own BPF objects load into the same instructions as with libbpf.
@Suite(.serialized, .enabled(if: isRoot && Bpftool.path != nil, "needs root and bpftool (Scripts/setup-host.sh installs it)"))
struct ToolsDifferentialTests {
    @Test func execsnoopMatchesLibbpf() throws {
        let file = try ObjectFile(EmbeddedObjects.execsnoop)
        let theirs = try PinDirectory("libbpf_tools")
        let ours = try PinDirectory("swiftbpf_tools")
        let r = try Bpftool.loadAll(object: file.path, pinDirectory: theirs.path)
        try #require(r.status == 0, "bpftool prog loadall failed: \(r.stderr)")
        let object = try BPFObject(path: file.path)
        try object.pinPrograms(in: ours.path)
        #expect(object.spec.mainPrograms.count == 2)
        for p in object.spec.mainPrograms {
            let libbpf = try Bpftool.xlated(pinned: theirs.path + "/" + p.name)
            let swift = try Bpftool.xlated(pinned: ours.path + "/" + p.name)
            #expect(swift == libbpf, "program \(p.name) differs:\n--- libbpf\n\(libbpf)\n--- SwiftBPF\n\(swift)")
        }
    }
}
