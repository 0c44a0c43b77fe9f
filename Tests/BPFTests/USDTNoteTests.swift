@testable import BPF
import Foundation
import Testing

/// `.note.stapsdt` descriptors and the resolution of probe sites to file offsets
/// (libbpf's `parse_usdt_note()` and `collect_usdt_targets()`).
@Suite struct USDTNoteTests {
    static func descriptor(pc: UInt64, base: UInt64, semaphore: UInt64, _ strings: [String]) -> [UInt8] {
        var d: [UInt8] = []
        for v in [pc, base, semaphore] { withUnsafeBytes(of: v.littleEndian) { d += $0 } }
        for s in strings { d += Array(s.utf8) + [0] }
        return d
    }

    @Test func descriptorFields() throws {
        let n = try USDTNote(descriptor: Self.descriptor(pc: 0x549df3, base: 0x8effa4, semaphore: 0xa4606e, ["test", "usdt12", "-4@%edi 8@%rdx"])[...])
        #expect(n == USDTNote(provider: "test", name: "usdt12", arguments: "-4@%edi 8@%rdx", location: 0x549df3, base: 0x8effa4, semaphore: 0xa4606e))
        // An empty argument string, or one starting with ':', means no arguments.
        #expect(try USDTNote(descriptor: Self.descriptor(pc: 1, base: 0, semaphore: 0, ["p", "n", ""])[...]).arguments == "")
        #expect(try USDTNote(descriptor: Self.descriptor(pc: 1, base: 0, semaphore: 0, ["p", "n", ":x"])[...]).arguments == "")
        // A descriptor inside a larger buffer (slice indices not starting at 0).
        let padded = [UInt8](repeating: 0xee, count: 5) + Self.descriptor(pc: 7, base: 0, semaphore: 0, ["a", "b", "1@%al"])
        #expect(try USDTNote(descriptor: padded[5...]).location == 7)
    }

    @Test func malformedDescriptorsNameTheCause() {
        func message(_ bytes: [UInt8]) -> String {
            do {
                _ = try USDTNote(descriptor: bytes[...])
                return "no error"
            } catch {
                guard case let .malformedObject(why) = error else { return "wrong error \(error)" }
                return why
            }
        }
        let good = Self.descriptor(pc: 1, base: 2, semaphore: 3, ["prov", "name", "8@%rax"])
        #expect(message(Array(good.prefix(20))).contains("at least 27"))
        #expect(message(Array(good.dropLast())).contains("argument string of prov:name is not NUL-terminated"))
        #expect(message(Array(good.prefix(24 + 5))).contains("ends before its name"))
        #expect(message(Array(good.prefix(24)) + Array("provider-without-nul".utf8)).contains("provider is not NUL-terminated"))
        #expect(message(Self.descriptor(pc: 1, base: 0, semaphore: 0, ["", "n", ""])).contains("empty provider"))
        #expect(message(Self.descriptor(pc: 1, base: 0, semaphore: 0, ["p", "", ""])).contains("empty probe name"))
        // Every truncation of a valid descriptor either parses or throws; none crashes.
        for n in 0..<good.count { _ = message(Array(good.prefix(n))) }
    }

    static func segment(_ i: Int, vaddr: UInt64, offset: UInt64, size: UInt64, exec: Bool) -> ELFSegment {
        ELFSegment(index: i, type: .load, flags: exec ? [.read, .execute] : [.read, .write], offset: offset,
                   virtualAddress: vaddr, physicalAddress: vaddr, fileSize: size, memorySize: size, alignment: 0x1000)
    }

    static let table = USDTProbeTable(
        notes: [
            USDTNote(provider: "app", name: "start", arguments: "-4@%edi", location: 0x401234, base: 0x402000, semaphore: 0),
            USDTNote(provider: "app", name: "start", arguments: "-4@%esi", location: 0x401300, base: 0x402000, semaphore: 0),
            USDTNote(provider: "app", name: "guarded", arguments: "8@%rax", location: 0x401400, base: 0x402000, semaphore: 0x603010),
            USDTNote(provider: "app", name: "outside", arguments: "", location: 0x900000, base: 0x402000, semaphore: 0),
            USDTNote(provider: "app", name: "data", arguments: "", location: 0x603000, base: 0x402000, semaphore: 0),
            USDTNote(provider: "app", name: "badsema", arguments: "", location: 0x401500, base: 0x402000, semaphore: 0x401600),
        ],
        fileType: .executable,
        loadSegments: [segment(0, vaddr: 0x400000, offset: 0, size: 0x3000, exec: true),
                       segment(1, vaddr: 0x603000, offset: 0x3000, size: 0x100, exec: false)],
        baseSectionAddress: 0x402000, path: "/bin/app")

    @Test func sitesBecomeFileOffsets() throws {
        let start = try Self.table.sites(provider: "app", name: "start")
        #expect(start.map(\.fileOffset) == [0x1234, 0x1300])
        #expect(start.allSatisfy { $0.semaphoreOffset == 0 })
        let guarded = try Self.table.sites(provider: "app", name: "guarded")
        #expect(guarded.count == 1 && guarded[0].fileOffset == 0x1400 && guarded[0].semaphoreOffset == 0x3010)
        #expect(Self.table.probeNames == ["app:start", "app:guarded", "app:outside", "app:data", "app:badsema"])
    }

    @Test func prelinkedBaseMovesTheSites() throws {
        // .stapsdt.base now sits 0x1000 above what the notes recorded: the file was prelinked.
        let moved = USDTProbeTable(notes: [USDTNote(provider: "a", name: "b", arguments: "", location: 0x401000, base: 0x402000, semaphore: 0)],
                                   fileType: .executable, loadSegments: [Self.segment(0, vaddr: 0x400000, offset: 0, size: 0x3000, exec: true)],
                                   baseSectionAddress: 0x403000, path: "/bin/p")
        let site = try #require(try moved.sites(provider: "a", name: "b").first)
        #expect(site.address == 0x402000 && site.fileOffset == 0x2000)
    }

    @Test func unresolvableSitesAreErrors() {
        #expect {
            _ = try Self.table.sites(provider: "app", name: "nope")
        } throws: { error in
            guard case let BPFError.missing(what) = error else { return false }
            return what.contains("app:nope") && what.contains("/bin/app") && what.contains("app:start, app:guarded")
        }
        for (name, needle) in [("outside", "no PT_LOAD segment"), ("data", "not executable"), ("badsema", "semaphore")] {
            #expect(throws: BPFError.self, "\(name)") { try Self.table.sites(provider: "app", name: name) }
            do {
                _ = try Self.table.sites(provider: "app", name: name)
            } catch {
                #expect("\(error)".contains(needle), "\(name): \(error)")
            }
        }
    }

    /// Debian's python3.11 ships SDT notes with semaphores; their parse must agree with readelf.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/python3.11"), "needs /usr/bin/python3.11 (Debian's python3.11 package has USDT notes)"))
    func realBinaryNotesMatchReadelf() throws {
        let elf = try ExecutableELF(path: "/usr/bin/python3.11")
        let table = try USDTProbeTable(elf: elf)
        #expect(table.probeNames.contains("python:function__entry"))
        #expect(table.probeNames.contains("python:gc__start"))
        let gc = try #require(try table.sites(provider: "python", name: "gc__start").first)
        #expect(gc.note.semaphore != 0 && gc.semaphoreOffset != 0)
        #expect(try USDTArgument.parseList(gc.note.arguments).count == 1)
        // The instruction at the site is a nop (0x90), as sys/sdt.h emits.
        #expect(try elf.bytes(atFileOffset: gc.fileOffset, count: 1) == [0x90])
        for note in table.notes { _ = try USDTArgument.parseList(note.arguments) }
    }

    @Test func binaryWithoutNotesIsNamed() throws {
        let elf = try ExecutableELF(path: "/usr/bin/true")
        try #require(elf.section(named: USDTNote.sectionName) == nil, "/usr/bin/true unexpectedly has USDT notes")
        #expect {
            _ = try USDTProbeTable(elf: elf)
        } throws: { error in
            guard case let BPFError.missing(what) = error else { return false }
            return what.contains(".note.stapsdt") && what.contains("/usr/bin/true")
        }
    }
}
