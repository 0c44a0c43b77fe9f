import BPF
import Foundation

/// The languages a test runs a tool's BPF program in, for programs with a Swift twin.
enum TwinLanguages {
    /// Both languages on the host; C alone in the 6.1 VM of `Scripts/vmtest.sh` (its init sets
    /// `SWIFTBPF_VMTEST`). For tests whose time under qemu goes to user space (loading 100,000
    /// blocklist prefixes, the lockout guard, unloading) rather than to the program: with both
    /// languages the firewall suites alone took 691 s of the VM's run. The Swift program's
    /// verification and behaviour on 6.1 are still covered there by the tests that use
    /// `BPFProgramLanguage.allCases`.
    static let bothOnHost: [BPFProgramLanguage] =
        ProcessInfo.processInfo.environment["SWIFTBPF_VMTEST"] == nil ? BPFProgramLanguage.allCases : [.c]
}
