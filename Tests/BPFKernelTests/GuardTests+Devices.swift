import Foundation
import Glibc
import SwiftBPFSecurity
import Testing

/// Device rules: decided in the cgroup device hook (`BPF_CGROUP_DEVICE`), which runs when a
/// task opens or creates a device node and fails the call with EPERM when the program says no.
extension GuardTests {
    @Test(.enabled(if: CgroupChild.isAvailable, CgroupChild.skipReason))
    func deviceRulesDenyOpensAndMknodFromATestCgroup() throws {
        let cgroup = try TestCgroup("guard-dev")
        defer { cgroup.remove() }
        let ws = try Workspace()
        let monitor = try GuardMonitor(policy: compile("""
            - {name: no-null-writes, events: [device], devices: ["c 1:3 w"], cgroup: \(cgroup.path), action: deny}
            - {name: no-block-nodes, events: [device], devices: ["b *:* m"], cgroup: \(cgroup.path), action: deny}
            - {name: zero-reads, events: [device], devices: ["c 1:5 r"], cgroup: \(cgroup.path), action: deny, mode: monitor}
            """))
        // /dev/null (c 1:3): reading is not covered, writing is refused before the open returns.
        #expect(try CgroupChild.run(in: cgroup, ["open", "/dev/null"]) == "ok")
        #expect(try CgroupChild.run(in: cgroup, ["open-write", "/dev/null"]) == "errno \(EPERM) open")
        // Creating a block device node (b 7:0, a loop device) is refused; nothing is left behind.
        let node = ws.path("loop-node")
        #expect(try CgroupChild.run(in: cgroup, ["mknod-block", node, "7", "0"]) == "errno \(EPERM) mknod")
        #expect(access(node, F_OK) != 0)
        // Monitored: /dev/zero opens, the would-deny is counted.
        #expect(try CgroupChild.run(in: cgroup, ["open", "/dev/zero"]) == "ok")
        // Outside the cgroup no rule applies.
        #expect(try CgroupChild.run(in: nil, ["open-write", "/dev/null"]) == "ok")
        #expect(try CgroupChild.run(in: nil, ["mknod-block", node, "7", "0"]) == "ok")

        let events = try collect(monitor) { $0.filter { $0.kind == .device }.count >= 3 }
        let write = try #require(events.first { $0.kind == .device && $0.ruleName == "no-null-writes" })
        #expect(write.action == .deny && write.enforced)
        #expect(write.arguments.prefix(4) == [2, 1, 3, 4])  // char, 1:3, BPF_DEVCG_ACC_WRITE
        #expect(write.process.cgroupPath == cgroup.path)
        #expect(GuardFormat.json(write).contains("\"device_type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"w\""))
        let mknod = try #require(events.first { $0.kind == .device && $0.ruleName == "no-block-nodes" })
        #expect(mknod.arguments.prefix(4) == [1, 7, 0, 1])  // block, 7:0, BPF_DEVCG_ACC_MKNOD
        #expect(mknod.enforced)
        let zero = try #require(events.first { $0.kind == .device && $0.ruleName == "zero-reads" })
        #expect(!zero.enforced && zero.action == .deny)
        let counters = try monitor.session.counters()
        #expect(counters[0].matched == 1 && counters[0].acted == 1)
        #expect(counters[1].matched == 1 && counters[1].acted == 1)
        #expect(counters[2].matched == 1 && counters[2].acted == 0)
    }
}
