import BPF
import Foundation
import Glibc
import Testing

/// Bad input gives a clear error naming the cause (with the verifier log where there is one),
/// never a crash, and leaves nothing behind.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"))
struct BadInputTests {
    @Test func verifierRejectionCarriesLogWithSourceLine() throws {
        let before = try Bpftool.path.map { _ in try Bpftool.programIDs() }
        do {
            _ = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.badVerifier.bytes, name: "bad_verifier"))
            Issue.record("the verifier must reject unchecked_lookup")
        } catch {
            guard case let .verifier(program, errno, log, hint) = error else {
                Issue.record("expected a verifier error, got \(error)")
                return
            }
            #expect(program == "unchecked_lookup")
            #expect(errno == .EACCES)
            // line_info reached the kernel: the log quotes the C source.
            #expect(log.contains("return *value + 1;"), "log:\n\(log)")
            #expect(log.contains("invalid mem access"))
            #expect(hint != nil)
            #expect(error.description.contains("verifier log:"))
        }
        // Other suites load and unload programs meanwhile: only a new program of this object's
        // name would be one the rejected load left behind.
        if let before {
            let left = try Bpftool.programNames().filter { !before.contains($0.key) && "unchecked_lookup".hasPrefix($0.value) && !$0.value.isEmpty }
            #expect(left.isEmpty, "a rejected load left programs behind: \(left)")
        }
    }

    /// The structured fields of a rejection, as a caller tests them: no matching on the text.
    @Test func verifierRejectionHasStructuredFields() throws {
        do {
            _ = try EmbeddedObjects.badVerifier.load()
            Issue.record("the verifier must reject unchecked_lookup")
        } catch {
            #expect(error.kind == .verifier)
            #expect(error.errno == .EACCES)
            #expect(error.programName == "unchecked_lookup")
            #expect(error.subjectName == "unchecked_lookup")
            #expect(error.verifierLog?.contains("invalid mem access") == true)
            #expect(error.operation == nil)
        }
    }

    @Test func unknownSectionIsNamed() throws {
        let spec = try ObjectSpec(bytes: EmbeddedObjects.badSections.bytes, name: "bad_sections")
        do {
            _ = try BPFObject(spec)
            Issue.record("a program in an unknown section must not load")
        } catch {
            #expect(error.description.contains("foo/bar"), "\(error)")
            #expect(error.description.contains("unknown_section"), "\(error)")
        }
        // The other program loads on its own.
        var options = LoadOptions()
        options.programs = ["known_section"]
        let object = try BPFObject(spec, options: options)
        #expect(object.programs.keys.sorted() == ["known_section"])
    }

    @Test func truncatedAndCorruptObjects() throws {
        let good = EmbeddedObjects.diffGlobals.bytes
        for length in [0, 3, 16, 63, 64, 200, good.count / 2, good.count - 1] {
            #expect(throws: BPFError.self, "truncated to \(length) bytes") {
                _ = try ObjectSpec(bytes: Array(good.prefix(length)))
            }
        }
        // Corrupt the .BTF header's magic.
        let elf = try ELFFile(bytes: good)
        let btf = try #require(elf.section(named: ".BTF"))
        var bad = good
        bad[Int(btf.offset)] ^= 0xff
        do {
            _ = try ObjectSpec(bytes: bad)
            Issue.record("corrupt BTF must be rejected")
        } catch {
            #expect(error.description.contains("BTF") && error.description.contains("magic"), "\(error)")
        }
        // Random byte flips never crash the parser.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var fuzzed = good
            for _ in 0..<4 { fuzzed[Int.random(in: 0..<fuzzed.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            _ = try? ObjectSpec(bytes: fuzzed)
        }
    }

    @Test func unknownGlobalAndWrongSizeAreRejected() throws {
        let spec = try ObjectSpec(bytes: EmbeddedObjects.diffGlobals.bytes, name: "diff_globals")
        var options = LoadOptions()
        options.set("no_such_global", to: UInt32(1))
        #expect(throws: BPFError.self) { _ = try BPFObject(spec, options: options) }
        options = LoadOptions()
        options.set("filter_pid", to: UInt64(1))  // filter_pid is a u32
        #expect(throws: BPFError.self) { _ = try BPFObject(spec, options: options) }
    }

    @Test func descriptorsAreNeverZeroOneOrTwo() throws {
        let saved = dup(0)
        close(0)
        defer {
            dup2(saved, 0)
            close(saved)
        }
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.diffGlobals.bytes, name: "diff_globals"))
        for (_, m) in object.maps { #expect(m.fd > 2) }
        for (_, p) in object.programs { #expect(p.fd > 2) }
    }
}
