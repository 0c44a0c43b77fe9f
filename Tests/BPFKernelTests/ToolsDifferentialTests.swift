import BPF
@testable import SwiftBPFTools
import Testing

/// The tools' own BPF objects load into the same instructions as with libbpf.
@Suite(.serialized, .enabled(if: isRoot && Bpftool.path != nil, "needs root and bpftool (Scripts/setup-host.sh installs it)"))
struct ToolsDifferentialTests {
    @Test func execsnoopMatchesLibbpf() throws {
        try expectSameAsLibbpf(EmbeddedObjects.execsnoop)
    }
}
