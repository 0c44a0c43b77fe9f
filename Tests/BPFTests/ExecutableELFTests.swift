import Glibc
import Testing
@testable import BPF

/// A versioned shared library in miniature: two PT_LOAD segments, .dynsym with GNU versions
/// (defined, hidden and needed), .symtab with a versioned name, weak/strong and duplicate
/// locals, and three note sections (4- and 8-aligned).
enum VersionedFixture {
    static let buildID: [UInt8] = Array(1...20)

    static func build(mutate: (inout SyntheticELF) -> Void = { _ in }) -> [UInt8] {
        var elf = SyntheticELF()
        elf.fileType = 3
        elf.segments = [
            .init(type: 1, flags: 4, offset: 0, address: 0, fileSize: 0x1000, memorySize: 0x1000),
            .init(type: 1, flags: 5, offset: 0x1000, address: 0x2000, fileSize: 0x1000, memorySize: 0x2000),
        ]
        var dynstr = ELFTestStrings()
        let foo = dynstr.add("foo"), foo2 = dynstr.add("foo2"), bar = dynstr.add("bar"), ifn = dynstr.add("ifn"), data = dynstr.add("data")
        let soname = dynstr.add("libt.so"), v2 = dynstr.add("V_2"), v1 = dynstr.add("V_1"), libc = dynstr.add("libc.so.6"), glibc = dynstr.add("GLIBC_2.2.5")
        var dynsym = ELFTestBytes()
        dynsym.symbol(name: 0, type: 0, binding: 0, section: 0, value: 0, size: 0)
        dynsym.symbol(name: foo, type: 2, binding: 1, section: 1, value: 0x2100)
        dynsym.symbol(name: foo, type: 2, binding: 1, section: 1, value: 0x2200)
        dynsym.symbol(name: foo2, type: 2, binding: 1, section: 1, value: 0x2300)
        dynsym.symbol(name: bar, type: 2, binding: 1, section: 0, value: 0)
        dynsym.symbol(name: ifn, type: 10, binding: 1, section: 1, value: 0x2400)
        dynsym.symbol(name: data, type: 1, binding: 1, section: 1, value: 0x2500)
        var versym = ELFTestBytes()
        for v: UInt16 in [0, 2, 0x8003, 1, 4, 1, 1] { versym.u16(v) }
        var verdef = ELFTestBytes()
        for (i, (index, name)) in [(UInt16(1), soname), (2, v2), (3, v1)].enumerated() {
            verdef.u16(1); verdef.u16(index == 1 ? 1 : 0); verdef.u16(index); verdef.u16(1)
            verdef.u32(0); verdef.u32(20); verdef.u32(i == 2 ? 0 : 28)
            verdef.u32(name); verdef.u32(0)
        }
        var verneed = ELFTestBytes()
        verneed.u16(1); verneed.u16(1); verneed.u32(libc); verneed.u32(16); verneed.u32(0)
        verneed.u32(0); verneed.u16(0); verneed.u16(4); verneed.u32(glibc); verneed.u32(0)

        var strtab = ELFTestStrings()
        let baz = strtab.add("baz@@V_9"), w = strtab.add("w"), s = strtab.add("s")
        var symtab = ELFTestBytes()
        symtab.symbol(name: 0, type: 0, binding: 0, section: 0, value: 0, size: 0)
        symtab.symbol(name: baz, type: 2, binding: 1, section: 1, value: 0x2600)
        symtab.symbol(name: w, type: 2, binding: 2, section: 1, value: 0x2700)
        symtab.symbol(name: w, type: 2, binding: 1, section: 1, value: 0x2800)
        symtab.symbol(name: s, type: 2, binding: 0, section: 1, value: 0x2900)
        symtab.symbol(name: s, type: 2, binding: 0, section: 1, value: 0x2900)

        var buildIDNote = ELFTestBytes()
        buildIDNote.note(name: "GNU", type: 3, descriptor: buildID)
        var stapsdt = ELFTestBytes()
        stapsdt.note(name: "stapsdt", type: 3, descriptor: [1, 2, 3, 4, 5, 6, 7, 8] + Array("prov\0one\0".utf8))
        stapsdt.note(name: "stapsdt", type: 3, descriptor: [9, 9] + Array("prov\0two\0".utf8))
        var property = ELFTestBytes()
        property.note(name: "GNU", type: 5, descriptor: [UInt8](repeating: 7, count: 16), alignment: 8)

        elf.sections = [
            .init(name: ".text", type: 1, flags: 6, address: 0x2000, data: [UInt8](repeating: 0x90, count: 16)),
            .init(name: ".dynsym", type: 11, flags: 2, data: dynsym.bytes, link: 3, info: 1, entrySize: 24),
            .init(name: ".dynstr", type: 3, flags: 2, data: dynstr.bytes, alignment: 1),
            .init(name: ".gnu.version", type: 0x6fff_ffff, flags: 2, data: versym.bytes, link: 2, alignment: 2, entrySize: 2),
            .init(name: ".gnu.version_d", type: 0x6fff_fffd, flags: 2, data: verdef.bytes, link: 3, info: 3),
            .init(name: ".gnu.version_r", type: 0x6fff_fffe, flags: 2, data: verneed.bytes, link: 3, info: 1),
            .init(name: ".symtab", type: 2, data: symtab.bytes, link: 8, info: 1, entrySize: 24),
            .init(name: ".strtab", type: 3, data: strtab.bytes, alignment: 1),
            .init(name: ".note.gnu.build-id", type: 7, flags: 2, data: buildIDNote.bytes, alignment: 4),
            .init(name: ".note.stapsdt", type: 7, data: stapsdt.bytes, alignment: 4),
            .init(name: ".note.gnu.property", type: 7, flags: 2, data: property.bytes, alignment: 8),
            .init(name: ".stapsdt.base", type: 1, flags: 2, address: 0x2f00, data: [0]),
        ]
        mutate(&elf)
        return elf.build()
    }
}

@Suite struct ExecutableELFTests {
    @Test func headersSegmentsAndAddressTranslation() throws {
        let elf = try ExecutableELF(bytes: VersionedFixture.build())
        #expect(elf.fileType == .sharedObject && elf.machine == ELF.machineX86_64)
        #expect(elf.segments.count == 2 && elf.segments[1].type == .load && elf.segments[1].isExecutable)
        #expect(elf.fileOffset(ofVirtualAddress: 0x123) == 0x123)
        #expect(elf.fileOffset(ofVirtualAddress: 0x2100) == 0x1100)
        #expect(elf.fileOffset(ofVirtualAddress: 0x3000) == nil)  // past p_filesz (zero-filled)
        #expect(elf.fileOffset(ofVirtualAddress: 0x1800) == nil)  // between the segments
        #expect(elf.virtualAddress(ofFileOffset: 0x1100) == 0x2100)
        #expect(elf.virtualAddress(ofFileOffset: 0x2000) == nil)
        let base = try #require(elf.section(named: ".stapsdt.base"))
        #expect(elf.address(of: base) == 0x2f00)
        #expect(elf.sections(ofType: .note).map(\.name) == [".note.gnu.build-id", ".note.stapsdt", ".note.gnu.property"])
    }

    @Test func dynamicSymbolsCarryTheirVersions() throws {
        let elf = try ExecutableELF(bytes: VersionedFixture.build())
        let dyn = try elf.symbols(in: .dynsym)
        #expect(dyn.map(\.versionedName) == ["foo@@V_2", "foo@V_1", "foo2", "bar@GLIBC_2.2.5", "ifn", "data"])
        #expect(dyn[3].isDefined == false && dyn[0].isDefined)
        #expect(try elf.symbols(in: .dynsym, types: [.gnuIndirectFunction]).map(\.name) == ["ifn"])
        let sym = try elf.symbols(in: .symtab)
        #expect(sym[0].name == "baz" && sym[0].version == "V_9" && sym[0].isDefaultVersion)
        #expect(sym.count == 5)
    }

    @Test func lookupByNameMatchesVersionsButNotLongerNames() throws {
        let elf = try ExecutableELF(bytes: VersionedFixture.build())
        #expect(try elf.symbols(named: "foo").map(\.value) == [0x2100, 0x2200])
        #expect(try elf.symbols(named: "foo@V_1").map(\.value) == [0x2200])
        #expect(try elf.symbols(named: "foo@@V_2").map(\.value) == [0x2100])
        #expect(try elf.symbols(named: "foo@V_2").map(\.value) == [0x2100])  // '@' or '@@' alike, as libbpf
        #expect(try elf.symbols(named: "fo").isEmpty)
        #expect(try elf.symbols(named: "baz@@V_9").map(\.table) == [.symtab])
        #expect(try elf.symbols(named: "w").count == 2)
    }

    @Test func functionResolutionFollowsLibbpf() throws {
        let elf = try ExecutableELF(bytes: VersionedFixture.build())
        func offset(_ name: String) throws -> UInt64 { try UprobeFunctionResolver.resolve(name, in: elf, path: "libt.so").fileOffset }
        #expect(try offset("foo@@V_2") == 0x1100)
        #expect(try offset("foo@V_1") == 0x1200)
        #expect(try offset("foo2") == 0x1300)
        #expect(try offset("w") == 0x1800)  // the global one wins over the weak one
        #expect(try offset("s") == 0x1900)  // two locals at one address are one function
        #expect(try offset("baz") == 0x1600)
        func failure(_ name: String) -> BPFError? {
            do { _ = try offset(name); return nil } catch { return error as? BPFError }
        }
        guard case let .invalidArgument(ambiguous)? = failure("foo") else { Issue.record("foo is ambiguous"); return }
        #expect(ambiguous.contains("ambiguous") && ambiguous.contains("foo@@V_2") && ambiguous.contains("foo@V_1"))
        guard case let .invalidArgument(imported)? = failure("bar") else { Issue.record("bar is imported"); return }
        #expect(imported.contains("only imported"))
        guard case let .invalidArgument(indirect)? = failure("ifn") else { Issue.record("ifn is an IFUNC"); return }
        #expect(indirect.contains("STT_GNU_IFUNC"))
        guard case let .invalidArgument(object)? = failure("data") else { Issue.record("data is an object"); return }
        #expect(object.contains("not a function"))
        guard case let .missing(missing)? = failure("fooo") else { Issue.record("fooo is missing"); return }
        #expect(missing.contains("close names: foo"))
    }

    @Test func notesAreSplitAtTheirAlignment() throws {
        let elf = try ExecutableELF(bytes: VersionedFixture.build())
        #expect(try elf.buildID() == VersionedFixture.buildID)
        let stapsdt = try elf.notes(inSectionNamed: ".note.stapsdt")
        #expect(stapsdt.count == 2 && stapsdt.allSatisfy { $0.name == "stapsdt" && $0.type == ELFNote.stapsdtType })
        #expect(Array(stapsdt[0].descriptor.prefix(8)) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(stapsdt[1].descriptor == [9, 9] + Array("prov\0two\0".utf8))
        let section = try #require(elf.section(named: ".note.stapsdt"))
        let raw = try elf.contents(of: section)
        #expect(raw.count == Int(section.size))
        #expect(try elf.bytes(atFileOffset: stapsdt[1].descriptorFileOffset, count: 2) == [9, 9])
        #expect(stapsdt[1].offsetInContainer == 12 + 8 + 20)  // header, "stapsdt\0", 17 bytes padded
        let property = try elf.notes(inSectionNamed: ".note.gnu.property")
        #expect(property.count == 1 && property[0].descriptor == [UInt8](repeating: 7, count: 16))
        #expect(try elf.notes(inSectionNamed: ".note.none").isEmpty)
    }

    /// Found by FuzzExecutableELF (an arithmetic-overflow trap): a PT_LOAD segment whose
    /// p_offset or p_vaddr is near 2^64 made `address - p_vaddr + p_offset` overflow. The
    /// translation now answers nil, and a USDT site there is refused with its cause.
    @Test func segmentOffsetsNear64BitsDoNotTrap() throws {
        let bytes = VersionedFixture.build { elf in
            elf.segments[1] = .init(type: 1, flags: 5, offset: 0xffff_ffff_ffff_ff00, address: 0x2000, fileSize: 0x1000, memorySize: 0x2000)
            elf.segments[0] = .init(type: 1, flags: 4, offset: 0, address: 0xffff_ffff_ffff_ff00, fileSize: 0x1000, memorySize: 0x1000)
        }
        let elf = try ExecutableELF(bytes: bytes)
        #expect(elf.fileOffset(ofVirtualAddress: 0x2100) == nil)
        #expect(elf.virtualAddress(ofFileOffset: 0x800) == nil)
        for symbol in try elf.symbols(in: .dynsym) { _ = elf.fileOffset(of: symbol) }
        let table = USDTProbeTable(notes: [USDTNote(provider: "p", name: "n", arguments: "", location: 0x2100, base: 0, semaphore: 0)],
                                   fileType: .sharedObject, loadSegments: elf.segments, baseSectionAddress: 0, path: "fuzz")
        #expect(throws: BPFError.self) { try table.sites(provider: "p", name: "n") }
    }

    /// FuzzExecutableELF's finding (2026-12-07): e_shoff = 2^64 - 1 with e_shnum 0 trapped on
    /// the overflow of `e_shoff + 32` while reading extended numbering from section header 0.
    @Test func sectionHeaderOffsetNear64BitsIsRefusedNotTrapped() throws {
        let input: [UInt8] = [
            0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x03, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x60, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x40, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x01, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x08, 0x00, 0x00, 0x00, 0x00,
        ]
        let error = #expect(throws: BPFError.self) { _ = try ExecutableELF(bytes: input) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("section header 0"), "\(String(describing: error))")
    }

    @Test func malformedFilesAreRejectedWithTheirCause() throws {
        func message(_ bytes: [UInt8]) -> String? {
            do { _ = try ExecutableELF(bytes: bytes); return nil } catch {
                guard case let .malformedObject(why) = error else { return "wrong error \(error)" }
                return why
            }
        }
        let good = VersionedFixture.build()
        #expect(message(Array("#!/bin/sh\n".utf8))?.contains("bad magic") == true)
        #expect(message(Array(good.prefix(40)))?.contains("truncated ELF header") == true)
        var class32 = good; class32[4] = 1
        #expect(message(class32)?.contains("32-bit") == true)
        var bigEndian = good; bigEndian[5] = 2
        #expect(message(bigEndian)?.contains("big-endian") == true)
        var relocatable = good; relocatable[16] = 1
        #expect(message(relocatable)?.contains("ET_REL") == true)
        var bpf = good; bpf[18] = 247; bpf[19] = 0
        #expect(message(bpf)?.contains("EM_BPF") == true)
        var farSections = good; farSections[40 + 6] = 0x10  // e_shoff far beyond the file
        #expect(message(farSections)?.contains("section header table") == true)
        var farSegments = good; farSegments[32 + 5] = 0x10
        #expect(message(farSegments)?.contains("program header table") == true)
        // Every truncation either parses (tables not reached) or throws; none crashes.
        for n in stride(from: 0, to: good.count, by: 7) {
            if let elf = try? ExecutableELF(bytes: Array(good.prefix(n))) {
                _ = try? elf.symbols(in: .dynsym)
                _ = try? elf.symbols(in: .symtab)
                _ = try? elf.buildID()
                _ = try? elf.symbols(named: "foo")
            }
        }
    }

    @Test func brokenTablesThrowWhenRead() throws {
        let badEntrySize = VersionedFixture.build { $0.sections[1].entrySize = 16 }
        let elf = try ExecutableELF(bytes: badEntrySize)
        #expect(throws: BPFError.self) { try elf.symbols(in: .dynsym) }
        let badNote = VersionedFixture.build { $0.sections[9].data = [8, 0, 0, 0, 200, 0, 0, 0, 3, 0, 0, 0, 65, 0, 0, 0] }
        let noted = try ExecutableELF(bytes: badNote)
        #expect(throws: BPFError.self) { try noted.notes(inSectionNamed: ".note.stapsdt") }
        let badName = VersionedFixture.build { $0.sections[6].data.replaceSubrange(24..<28, with: [0xff, 0xff, 0, 0]) }
        #expect(throws: BPFError.self) { try ExecutableELF(bytes: badName).symbols(in: .symtab) }
    }

    @Test(.enabled(if: access("/lib/x86_64-linux-gnu/libc.so.6", R_OK) == 0, "needs Debian's x86-64 libc at /lib/x86_64-linux-gnu/libc.so.6"))
    func realLibcByPath() throws {
        let path = "/lib/x86_64-linux-gnu/libc.so.6"
        let elf = try ExecutableELF(path: path)
        #expect(elf.fileType == .sharedObject && elf.path == path)
        #expect(try elf.buildID()?.count == 20)
        let getsid = try UprobeFunctionResolver.resolve("getsid", in: elf, path: path)
        #expect(getsid.symbol.table == .dynsym && getsid.symbol.version == "GLIBC_2.2.5" && getsid.symbol.isDefaultVersion)
        #expect(elf.virtualAddress(ofFileOffset: getsid.fileOffset) == getsid.symbol.value)
        #expect(throws: BPFError.self) { try UprobeFunctionResolver.resolve("strlen", in: elf, path: path) }
        #expect(try elf.functionNames().contains("malloc"))
    }

    @Test func pathErrorsNameTheFile() throws {
        #expect { try ExecutableELF(path: "/nonexistent/swiftbpf-x") } throws: { error in
            guard let e = error as? BPFError, case let .missing(why) = e else { return false }
            return why.contains("/nonexistent/swiftbpf-x")
        }
        #expect { try ExecutableELF(path: "/proc/self/status") } throws: { error in
            (error as? BPFError) != nil
        }
    }
}

@Suite struct UprobeSectionTests {
    @Test func sectionFormsAsLibbpfReadsThem() throws {
        #expect(try UprobeSection.parse("uprobe") == nil)
        #expect(try UprobeSection.parse("uretprobe.s") == nil)
        let a = try #require(try UprobeSection.parse("uprobe/libc.so.6:malloc"))
        #expect(a.binary == "libc.so.6" && a.location == .function("malloc", offset: 0) && !a.isReturnProbe && !a.isSleepable)
        let b = try #require(try UprobeSection.parse("uprobe.s//usr/bin/bash:readline+0x10"))
        #expect(b.binary == "/usr/bin/bash" && b.location == .function("readline", offset: 16) && b.isSleepable)
        let c = try #require(try UprobeSection.parse("uretprobe/libc.so.6:memcpy@@GLIBC_2.14"))
        #expect(c.isReturnProbe && c.location == .function("memcpy@@GLIBC_2.14", offset: 0))
        let d = try #require(try UprobeSection.parse("uprobe/bash:0x4a2c0"))
        #expect(d.location == .address(0x4a2c0))
        let e = try #require(try UprobeSection.parse("uprobe/x:f+12"))
        #expect(e.location == .function("f", offset: 12))
        let f = try #require(try UprobeSection.parse("uprobe/x:operator+"))  // '+' without a number stays in the name
        #expect(f.location == .function("operator+", offset: 0))
        #expect(throws: BPFError.self) { try UprobeSection.parse("uprobe/libc.so.6") }
        #expect(throws: BPFError.self) { try UprobeSection.parse("uprobe/libc.so.6:") }
        #expect(throws: BPFError.self) { try UprobeSection.parse("uretprobe/libc.so.6:malloc+4") }
        #expect(throws: BPFError.self) { try UprobeSection.parse("kprobe/x:y") }
    }
}
