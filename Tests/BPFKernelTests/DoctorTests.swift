import BPF
import Foundation
import Glibc
import Testing

/// `swiftbpf doctor` as users run it: its JSON agrees with what the test itself reads from the
/// kernel (uname, sysfs, /proc/mounts, securityfs) and with the library's probes in this process.
@Suite(.serialized, .enabled(if: isRoot && CLI.path != nil, "needs root and the built swiftbpf binary"),
       .enabled(if: DoctorCLI.hasDoctor, "the built swiftbpf has no doctor subcommand: DoctorCommand.self is not in SwiftBPF.swift's subcommands"))
struct DoctorTests {
    func doctorJSON() throws -> [String: Any] {
        let r = try Command.run(CLI.path!, ["doctor", "--json"])
        try #require(r.status == 0, "swiftbpf doctor --json: \(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(r.stdout)")
    }

    func entries(_ json: [String: Any], _ group: String) throws -> [String: [String: Any]] {
        let list = try #require(json[group] as? [[String: Any]], "no \(group) in doctor JSON")
        var out: [String: [String: Any]] = [:]
        for item in list { if let name = item["name"] as? String { out[name] = item } }
        return out
    }

    @Test func jsonMatchesThisKernel() throws {
        let json = try doctorJSON()
        #expect(json["kernel"] as? String == Syscalls.kernelRelease())
        let btf = try #require(json["btf"] as? [String: Any])
        #expect(btf["present"] as? Bool == Syscalls.exists("/sys/kernel/btf/vmlinux"))
        let mountsText = String(decoding: try Syscalls.readFile("/proc/mounts"), as: UTF8.self)
        let mounts = try #require(json["mounts"] as? [String: Any])
        for (name, fs) in [("tracefs", "tracefs"), ("bpffs", "bpf"), ("cgroup2", "cgroup2"), ("securityfs", "securityfs")] {
            #expect(mounts[name] as? String == KernelReport.mountPoint(of: fs, in: mountsText), "\(name)")
        }
        #expect(json["lsm"] as? [String] == Features.activeLSMs())

        // Every feature, with the same answer and reason as this process's own probe.
        let features = try entries(json, "features")
        for feature in KernelFeature.allCases {
            let item = try #require(features[feature.rawValue], "\(feature) missing")
            let status = Features.probe(feature)
            #expect(item["supported"] as? Bool == status.isSupported, "\(feature)")
            #expect(item["reason"] as? String == status.reason, "\(feature)")
        }
        // What the test knows without the library: no kprobe PMU and no kprobe_events means
        // kprobes reported unsupported with the CONFIG_KPROBES reason (the development host).
        let kprobe = try #require(features["kprobe"])
        let tracefsKprobes = PerfEvent.tracefsRoot().map { Syscalls.exists($0 + "/kprobe_events") } ?? false
        if !Syscalls.exists("/sys/bus/event_source/devices/kprobe") && !tracefsKprobes {
            #expect(kprobe["supported"] as? Bool == false)
            #expect((kprobe["reason"] as? String)?.contains("CONFIG_KPROBES is off") == true)
        }
        if let lsms = Features.activeLSMs(), !lsms.contains("bpf") {
            #expect(features["lsm"]?["supported"] as? Bool == false)
        }

        let programTypes = try entries(json, "program_types")
        #expect(programTypes["tracepoint"]?["supported"] as? Bool == true)
        #expect(programTypes["kprobe"]?["supported"] as? Bool == Features.isSupported(programType: .kprobe))
        let mapTypes = try entries(json, "map_types")
        #expect(mapTypes["ringbuf"]?["supported"] as? Bool == Features.ringBuffer)
        #expect(mapTypes["hash"]?["supported"] as? Bool == true)
        let helpers = try entries(json, "helpers")
        #expect(helpers["bpf_get_current_cgroup_id in tracepoint"]?["supported"] as? Bool == true)
    }

    @Test func tableNamesEveryFeatureAndItsReason() throws {
        let r = try Command.run(CLI.path!, ["doctor"])
        try #require(r.status == 0, "swiftbpf doctor: \(r.stderr)")
        #expect(r.stdout.contains("kernel     \(Syscalls.kernelRelease())"))
        let all = r.stdout.split(separator: "\n").map(String.init)
        let header = try #require(all.firstIndex { $0.hasPrefix("FEATURE ") }, "no FEATURE table")
        let lines = Array(all[header...])
        for feature in KernelFeature.allCases {
            let line = lines.first { $0.hasPrefix(feature.rawValue + " ") }
            #expect(line != nil, "\(feature) row")
            if let reason = Features.probe(feature).reason {
                #expect(line?.hasSuffix("no: " + reason) == true, "\(line ?? "")")
            } else {
                #expect(line?.hasSuffix(" yes") == true, "\(line ?? "")")
            }
        }
    }
}

/// Whether the built `swiftbpf` has the `doctor` subcommand.
enum DoctorCLI {
    static let hasDoctor: Bool = {
        guard let path = CLI.path, let r = try? Command.run(path, ["doctor", "--help"]) else { return false }
        return r.status == 0
    }()
}
