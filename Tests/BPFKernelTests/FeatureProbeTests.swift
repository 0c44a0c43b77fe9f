import BPF
import Glibc
import Testing

/// The feature probes answer with reasons that match what the kernel shows in sysfs, tracefs
/// and securityfs, and agree with the older yes/no probes.
@Suite("feature probes", .serialized, .enabled(if: isRoot, "probes load programs: root"))
struct FeatureProbeTests {
    @Test func everyUnsupportedFeatureSaysWhy() {
        for (feature, status) in Features.probeAll() {
            if let reason = status.reason { #expect(!reason.isEmpty, "\(feature)") }
        }
        #expect(Features.probe(.kernelBTF).isSupported == Syscalls.exists("/sys/kernel/btf/vmlinux"))
        #expect(Features.probe(.ringbuf).isSupported == Features.ringBuffer)
        #expect(Features.probe(.perfLink).isSupported == Features.bpfLinkForPerfEvents)
        #expect(Features.probe(.tracefs).isSupported == (PerfEvent.tracefsRoot() != nil))
        #expect(Features.probe(.uprobe).isSupported == Syscalls.exists("/sys/bus/event_source/devices/uprobe"))
    }

    @Test func kprobeAnswerMatchesSysfs() {
        let status = Features.probe(.kprobe)
        let pmu = Syscalls.exists("/sys/bus/event_source/devices/kprobe")
        let tracefs = PerfEvent.tracefsRoot().map { Syscalls.exists($0 + "/kprobe_events") } ?? false
        if !pmu && !tracefs {
            #expect(!status.isSupported)
            #expect(status.reason?.contains("CONFIG_KPROBES is off") == true, "\(status)")
        }
        if status.isSupported { #expect(pmu || tracefs) }
        #expect(Features.probe(.kretprobe).isSupported == false || status.isSupported)
        #expect(Features.probe(.syscallWrapper).isSupported == false || status.isSupported)
    }

    @Test func lsmAnswerMatchesSecurityfs() {
        let status = Features.probe(.lsm)
        if let active = Features.activeLSMs() {
            if !active.contains("bpf") {
                #expect(status.reason?.contains("BPF LSM is not active") == true, "\(status)")
            }
        }
        if status.isSupported { #expect(Features.activeLSMs()?.contains("bpf") ?? true) }
    }

    @Test func tracingAnswersNameTheLoadFailure() {
        for feature in [KernelFeature.fentry, .fexit] {
            let status = Features.probe(feature)
            if let reason = status.reason, reason.contains("EPERM") {
                #expect(reason.contains("BPF_PROG_LOAD of a tracing program"), "\(reason)")
            }
        }
        // tp_btf needs neither trampolines nor the LSM: wherever there is BTF, it attaches.
        if Features.hasKernelBTF { #expect(Features.probe(.tpBTF).isSupported, "\(Features.probe(.tpBTF))") }
    }

    @Test func answersAreCached() {
        let first = Features.probeAll().map(\.status)
        let second = Features.probeAll().map(\.status)
        #expect(first == second)
    }

    @Test func mountPointsParseFromProcMounts() {
        let text = "sysfs /sys sysfs rw 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\nbpf /sys/fs/b\\040pf bpf rw 0 0\n"
        #expect(KernelReport.mountPoint(of: "cgroup2", in: text) == "/sys/fs/cgroup/unified")
        #expect(KernelReport.mountPoint(of: "bpf", in: text) == "/sys/fs/b pf")
        #expect(KernelReport.mountPoint(of: "tracefs", in: text) == nil)
    }
}
