import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import SwiftBPFTools

/// The flame graph SVG and the pprof encoding, checked on a known folded profile: the SVG's
/// frames and widths (proportional to counts), kinds, order and self-containment; the
/// differential colours; pprof decoded back (by the test's own wire decoder, and by `protoc
/// --decode` with a schema of the test's when protoc is installed) with the folded totals.
@Suite struct FlameGraphTests {
    static let folded = """
        demo;main;parse 30
        demo;main;compute;hot_loop 50
        demo;main;compute;do_syscall;-;entry_SYSCALL_64;do_sys_openat2 20
        other;start;idle 10
        """

    @Test func svgFramesHaveWidthsProportionalToCounts() throws {
        let stacks = try FoldedProfile.parse(Self.folded)
        let svg = FlameGraphSVG.render(stacks, title: "t")
        let frames = try SVGFrames.parse(svg)
        let expected: [String: (UInt64, String)] = [
            "all": (110, "p"), "demo": (100, "p"), "main": (100, "u"), "parse": (30, "u"), "compute": (70, "u"),
            "hot_loop": (50, "u"), "do_syscall": (20, "u"), "entry_SYSCALL_64": (20, "k"), "do_sys_openat2": (20, "k"),
            "other": (10, "p"), "start": (10, "u"), "idle": (10, "u"),
        ]
        #expect(frames.count == expected.count, "frames: \(frames.map(\.name))")
        let unit = (FlameGraphSVG.width - 2 * FlameGraphSVG.padding) / 110
        for f in frames {
            let e = try #require(expected[f.name], "unexpected frame \(f.name)")
            #expect(f.value == e.0, "\(f.name)")
            #expect(f.kind == e.1, "\(f.name) kind")
            #expect(abs(f.width - Double(e.0) * unit) < 0.01, "\(f.name): width \(f.width) for \(e.0) samples")
            #expect(abs(f.x - (FlameGraphSVG.padding + Double(f.start) * unit)) < 0.01, "\(f.name) x")
        }
        // Children are sorted by name: compute before parse, both inside main.
        let byName = Dictionary(uniqueKeysWithValues: frames.map { ($0.name, $0) })
        #expect(byName["compute"]!.start == 0 && byName["parse"]!.start == 70)
        #expect(byName["hot_loop"]!.depth == 4 && byName["do_sys_openat2"]!.depth == 6)
        // Self-contained: no external reference of any kind.
        #expect(!svg.contains("href=") && !svg.contains("src=") && !svg.contains("@import"))
        #expect(svg.contains("fgSearch") && svg.contains("<![CDATA["))
    }

    @Test func differentialColoursGrowthAndShrink() throws {
        let base = try FoldedProfile.parse("demo;main;hot_loop 10\ndemo;main;parse 90")
        let new = try FoldedProfile.parse("demo;main;hot_loop 50\ndemo;main;parse 30")
        let frames = try SVGFrames.parse(FlameGraphSVG.renderDifference(base: base, stacks: new))
        let hot = try #require(frames.first { $0.name == "hot_loop" })
        let parse = try #require(frames.first { $0.name == "parse" })
        let main = try #require(frames.first { $0.name == "main" })
        #expect(hot.fill.r == 250 && hot.fill.g < 150, "grew: red, got \(hot.fill)")
        #expect(parse.fill.b == 250 && parse.fill.r < 150, "shrank: blue, got \(parse.fill)")
        #expect(main.fill == SVGFrames.RGB(r: 250, g: 250, b: 250), "unchanged share: white, got \(main.fill)")
        #expect(hot.title.contains("+52.50% vs baseline"), "\(hot.title)")
    }

    @Test func badFoldedInputNamesTheLine() {
        #expect(throws: FoldedParseError.self) { try FoldedProfile.parse("a;b 1\na;b;c twelve") }
        do { _ = try FoldedProfile.parse("a;b 1\na;b;c twelve") } catch { #expect("\(error)".contains("line 2")) }
        do { _ = try FoldedProfile.parse("nocount") } catch { #expect("\(error)".contains("line 1") && "\(error)".contains("count")) }
    }

    @Test func emptyProfileStillRenders() throws {
        let svg = FlameGraphSVG.render([])
        #expect(svg.contains("no samples"))
        #expect(try SVGFrames.parse(svg).isEmpty, "a zero-width root is not drawn")
    }

    @Test func pprofDecodesBackWithTheFoldedTotals() throws {
        let stacks = try FoldedProfile.parse(Self.folded).map { s -> FoldedStack in
            var s = s
            s.pid = 4242
            return s
        }
        let bytes = PprofProfile.encode(stacks, frequency: 99, timeNanoseconds: 1_700_000_000_000_000_000, durationNanoseconds: 5_000_000_000)
        let profile = try PprofDecoder.decode(bytes)
        #expect(profile.strings.first == "")
        #expect(profile.sampleTypes == [["samples", "count"], ["cpu", "nanoseconds"]])
        #expect(profile.samples.count == 4)
        let period: Int64 = 1_000_000_000 / 99
        #expect(profile.period == period && profile.durationNanos == 5_000_000_000)
        #expect(profile.samples.reduce(0) { $0 + $1.values[0] } == 110)
        #expect(profile.samples.allSatisfy { $0.values[1] == $0.values[0] * period })
        // Leaf first: the hot_loop sample's first location is hot_loop, its last main.
        let hot = try #require(profile.samples.first { $0.values[0] == 50 })
        #expect(profile.functionNames(of: hot) == ["hot_loop", "compute", "main"])
        #expect(hot.labels["comm"] == "demo" && hot.numLabels["pid"] == 4242)
        let kernel = try #require(profile.samples.first { $0.values[0] == 20 })
        #expect(profile.functionNames(of: kernel) == ["do_sys_openat2", "entry_SYSCALL_64", "do_syscall", "compute", "main"])
        #expect(profile.functions.count == 9)

        // An independent decoder: protoc with a schema written from profile.proto's field numbers.
        guard let protoc = ["/usr/bin/protoc", "/usr/local/bin/protoc"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("FlameGraphTests: protoc not installed (Debian protobuf-compiler); checked with the test's own decoder only")
            return
        }
        let dir = TempDir("pprof")
        defer { dir.cleanup() }
        try PprofDecoder.schema.write(toFile: dir.path + "/profile.proto", atomically: true, encoding: .utf8)
        let text = try ProcessRun.run(protoc, ["--proto_path=" + dir.path, "--decode=perftools.profiles.Profile", "profile.proto"],
                                      input: bytes, timeout: 20)
        #expect(text.status == 0, "protoc: \(text.output)")
        let values = text.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var total: Int64 = 0, inSample = false, first = true
        for line in values {
            if line == "sample {" { inSample = true; first = true; continue }
            if line == "}" { inSample = false; continue }
            if inSample, line.hasPrefix("value: "), let v = Int64(line.dropFirst(7)) {
                if first { total += v }
                first = false
            }
        }
        #expect(total == 110, "protoc's decoding: \(text.output.prefix(400))")
        #expect(text.output.contains("string_table: \"hot_loop\""))
    }
}

/// The frames of a flame graph SVG, read with an XML parser.
enum SVGFrames {
    struct RGB: Equatable { var r: Int, g: Int, b: Int }
    struct Frame {
        var name = "", kind = "", title = ""
        var value: UInt64 = 0, start: UInt64 = 0, depth = 0
        var x = 0.0, width = 0.0
        var fill = RGB(r: 0, g: 0, b: 0)
    }

    final class Reader: NSObject, XMLParserDelegate {
        var frames: [Frame] = []
        var current: Frame?
        var inTitle = false
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes a: [String: String] = [:]) {
            if name == "g", let cls = a["class"], cls.hasPrefix("f ") {
                current = Frame(name: a["data-n"] ?? "", kind: String(cls.dropFirst(2)), value: UInt64(a["data-v"] ?? "") ?? 0,
                                start: UInt64(a["data-s"] ?? "") ?? 0, depth: Int(a["data-d"] ?? "") ?? 0)
            } else if name == "rect", current != nil {
                current!.x = Double(a["x"] ?? "") ?? -1
                current!.width = Double(a["width"] ?? "") ?? -1
                let parts = (a["fill"] ?? "").dropFirst(4).dropLast().split(separator: ",").compactMap { Int($0) }
                if parts.count == 3 { current!.fill = RGB(r: parts[0], g: parts[1], b: parts[2]) }
            } else if name == "title", current != nil {
                inTitle = true
            }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { if inTitle { current?.title += string } }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "title" { inTitle = false }
            if name == "g", let c = current {
                frames.append(c)
                current = nil
            }
        }
    }

    static func parse(_ svg: String) throws -> [Frame] {
        let parser = XMLParser(data: Data(svg.utf8))
        let reader = Reader()
        parser.delegate = reader
        guard parser.parse() else { throw TestError("the SVG is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")") }
        return reader.frames
    }
}

/// Runs a program with input on stdin, bounded by a timeout (killed after it).
enum ProcessRun {
    static func run(_ exe: String, _ args: [String], input: [UInt8] = [], timeout: Double) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let inPipe = Pipe(), outFile = NSTemporaryDirectory() + "swiftbpf-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        FileManager.default.createFile(atPath: outFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outFile) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outFile))
        p.standardInput = inPipe
        p.standardOutput = out
        p.standardError = out
        try p.run()
        inPipe.fileHandleForWriting.write(Data(input))
        try inPipe.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            p.terminate()
            usleep(200_000)
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            throw TestError("\(exe) did not finish within \(timeout) s")
        }
        try out.close()
        return (p.terminationStatus, (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? "")
    }
}
