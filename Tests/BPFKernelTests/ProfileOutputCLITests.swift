import Foundation
import Glibc
import Testing

/// `swiftbpf profile --svg/--pprof/--folded` on the burn workload, end to end: the three
/// outputs of one run carry the same total, the SVG names the workload's function, and
/// `profile diff` draws two folded files; bad input is refused naming the file and line.
@Suite(.serialized, .enabled(if: isRoot && CLI.path != nil, "perf_event sampling needs root, and the built swiftbpf binary"))
struct ProfileOutputCLITests {
    @Test func svgPprofAndFoldedOfOneRunAgree() throws {
        let workload = try BurnWorkload()
        let child = try #require(SymbolizeSampling.spawn(workload.binary, ["30"]), "could not start the workload")
        defer { kill(child, SIGKILL); var status: Int32 = 0; waitpid(child, &status, 0) }
        let dir = NSTemporaryDirectory() + "swiftbpf-profile-out-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try TimedCommand.run(CLI.path!, ["profile", "-p", "\(child)", "-F", "199", "-d", "2", "--folded",
                                                 "--svg", dir + "/p.svg", "--pprof", dir + "/p.pb"], timeout: 60)
        #expect(r.status == 0 && !r.timedOut, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("wrote the flame graph") && r.stderr.contains("wrote the pprof profile"), "\(r.stderr)")
        let foldedTotal = r.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").last.flatMap { UInt64($0) } }.reduce(0, +)
        #expect(foldedTotal > 0, "no samples: \(r.stdout.prefix(300))")
        let svg = try String(contentsOfFile: dir + "/p.svg", encoding: .utf8)
        #expect(svg.contains("data-total=\"\(foldedTotal)\""), "the SVG's total differs from the folded total \(foldedTotal)")
        #expect(svg.contains("data-n=\"swiftbpf_burn_user\""))
        #expect(svg.contains("class=\"f k\""), "no kernel frame drawn")
        let pprof = try Data(contentsOf: URL(fileURLWithPath: dir + "/p.pb"))
        #expect(pprof.count > 0 && pprof.range(of: Data("swiftbpf_burn_user".utf8)) != nil)

        // diff of the run against itself: every frame white (no change of share).
        try r.stdout.write(toFile: dir + "/a.folded", atomically: true, encoding: .utf8)
        let d = try TimedCommand.run(CLI.path!, ["profile", "diff", dir + "/a.folded", dir + "/a.folded", "--svg", dir + "/d.svg"], timeout: 30)
        #expect(d.status == 0, "\(d.stderr)")
        let diff = try String(contentsOfFile: dir + "/d.svg", encoding: .utf8)
        #expect(diff.contains("Differential Flame Graph") && diff.contains("data-n=\"swiftbpf_burn_user\""))
        #expect(!diff.contains("fill=\"rgb(250,9"), "a frame coloured as changed in a self-diff")
    }

    @Test func diffRefusesBadInputNamingIt() throws {
        let dir = NSTemporaryDirectory() + "swiftbpf-profile-bad-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "a;b 3\na;c x\n".write(toFile: dir + "/bad.folded", atomically: true, encoding: .utf8)
        try "a;b 3\n".write(toFile: dir + "/good.folded", atomically: true, encoding: .utf8)
        let bad = try TimedCommand.run(CLI.path!, ["profile", "diff", dir + "/good.folded", dir + "/bad.folded", "--svg", dir + "/o.svg"])
        #expect(bad.status != 0 && bad.stderr.contains("bad.folded: line 2"), "\(bad.stderr)")
        let missing = try TimedCommand.run(CLI.path!, ["profile", "diff", dir + "/none.folded", dir + "/good.folded", "--svg", dir + "/o.svg"])
        #expect(missing.status != 0 && missing.stderr.contains("none.folded"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/o.svg"), "a failed diff must leave no output file")
    }
}
