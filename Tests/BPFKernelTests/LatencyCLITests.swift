import Foundation
import Glibc
import Testing

/// The latency tools through the `swiftbpf` binary: startup, a workload while they run, the
/// final report at SIGINT, and the JSON per interval.
@Suite(.serialized, .enabled(if: geteuid() == 0 && CLI.path != nil, "needs root and the built swiftbpf binary"))
struct LatencyCLITests {
    /// Starts `swiftbpf args`, waits until it has attached, runs `workload`, lets the tool run
    /// `linger` seconds more (for interval output), then SIGINT; returns stdout.
    func run(_ args: [String], linger: Double = 0, workload: () -> Void) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.path!)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        #expect(CLI.waitUntilAttached(pid: p.processIdentifier), "swiftbpf \(args) attached nothing within a minute")
        workload()
        usleep(UInt32(linger * 1_000_000))
        kill(p.processIdentifier, SIGINT)
        let text = BoundedExit.collect(p, output: out, "swiftbpf \(args.joined(separator: " ")) after SIGINT")
        #expect(p.terminationStatus == 0)
        return text
    }

    @Test func syscountJSONHasTheKnownSleepInItsBucket() throws {
        let me = String(getpid())
        let text = try run(["syscount", "--json", "-L", "-p", me, "--syscall", "clock_nanosleep"]) {
            for _ in 0..<3 { sleepNanoseconds(50_000_000) }
        }
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1, "\(text)")
        let line = try #require(lines.first)
        #expect(line.hasPrefix("{\"unit\":\"usecs\",\"syscalls\":[{\"syscall\":\"clock_nanosleep\",\"nr\":230,\"count\":"))
        #expect(line.contains("{\"low\":32768,\"high\":65535,\"count\":"))
        #expect(line.hasSuffix(",\"dropped\":0}"))
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        let first = try #require((object?["syscalls"] as? [[String: Any]])?.first)
        #expect((first["count"] as? Int ?? 0) >= 3)
    }

    @Test func syscountTableCountsGetppid() throws {
        let text = try run(["syscount", "-p", String(getpid()), "--syscall", "getppid"]) {
            for _ in 0..<500 { _ = getppid() }
        }
        let lines = text.split(separator: "\n")
        #expect(lines.first == "Tracing syscalls, printing top 10... Ctrl-C to quit.")
        #expect(lines.contains("SYSCALL                   COUNT"))
        #expect(lines.contains("getppid                     500"))
    }

    @Test func runqlatPerProcessJSONWithIntervals() throws {
        let name = "lcli\(UInt16.random(in: 0...UInt16.max))"
        // Two 0.5 s intervals at least, then the final object.
        let text = try run(["runqlat", "--json", "-P", "--comm", name, "-i", "0.5"], linger: 1.2) {
            NamedThread(name: name) { for _ in 0..<100 { sleepNanoseconds(2_000_000) } }.join()
        }
        let lines = text.split(separator: "\n")
        #expect(lines.count >= 3, "\(text)") // one object per interval, and the final one
        #expect(lines.allSatisfy { $0.hasPrefix("{\"unit\":\"usecs\",\"histograms\":[") && $0.hasSuffix(",\"dropped\":0}") })
        let withOurs = lines.filter { $0.contains("\"pid\":\(getpid()),\"comm\":\"\(name)\",\"count\":") }
        #expect(!withOurs.isEmpty, "\(text)")
    }
}
