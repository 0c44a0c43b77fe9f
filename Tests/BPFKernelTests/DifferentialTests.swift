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
        try expectSameAsLibbpf(Self.objects.first { $0.name == name }!)
    }
}
