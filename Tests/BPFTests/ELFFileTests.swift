import Testing
import Foundation
@testable import BPF

@Test func elfParsesSectionsSymbolsAndRelocations() throws {
    let elf = try ELFFile(bytes: EmbeddedObjects.objCalls.bytes)
    #expect(elf.fileType == 1)  // ET_REL
    #expect(elf.sections[0].type == .null)
    let text = try #require(elf.section(named: ".text"))
    #expect(text.type == .progbits && text.isExecutable)
    #expect(text.size == 35 * 8)
    let bss = try #require(elf.section(named: ".bss"))
    #expect(bss.type == .nobits && bss.size == 16)
    #expect(try elf.contents(of: bss).isEmpty)
    let rodata = try #require(elf.section(named: ".rodata"))
    #expect(!rodata.isExecutable && rodata.flags.contains(.alloc))
    #expect(try elf.contents(of: rodata).count == 24)

    let symtab = try #require(elf.symbolTableIndex)
    #expect(elf.sections[symtab].type == .symtab)
    #expect(elf.symbols[0].name.isEmpty)
    let subGlobal = try #require(elf.symbols.first { $0.name == "sub_global" })
    #expect(subGlobal.type == .function && subGlobal.binding == .global && subGlobal.visibility == .default)
    #expect(Int(subGlobal.sectionIndex) == text.index && subGlobal.value == 0 && subGlobal.size == 64)
    let subHidden = try #require(elf.symbols.first { $0.name == "sub_hidden" })
    #expect(subHidden.visibility == .hidden && subHidden.hasRestrictedVisibility)
    let loopCB = try #require(elf.symbols.first { $0.name == "loop_cb" })
    #expect(loopCB.binding == .local && loopCB.value == 216)
    let bssHits = try #require(elf.symbols.first { $0.name == "bss_hits" })
    #expect(bssHits.type == .object && Int(bssHits.sectionIndex) == bss.index)

    let relText = try #require(elf.section(named: ".rel.text"))
    #expect(relText.type == .rel && Int(relText.info) == text.index)
    let rels = try elf.relocations(in: relText)
    #expect(rels.count == 5)
    // insn 1 of .text: ld_imm64 of rodata_pair (R_BPF_64_64 = 1).
    #expect(rels[0].offset == 8 && rels[0].type == 1)
    #expect(elf.symbols[Int(rels[0].symbolIndex)].name == "rodata_pair")
    #expect(throws: BPFError.self) { try elf.relocations(in: text) }
}

@Test func elfRejectsWrongFormats() throws {
    let good = EmbeddedObjects.objCalls.bytes

    func message(_ bytes: [UInt8]) -> String {
        do {
            _ = try ELFFile(bytes: bytes)
            return "parsed"
        } catch {
            guard case .malformedObject(let why) = error else { return "wrong error \(error)" }
            return why
        }
    }

    #expect(message([]).contains("not an ELF file"))
    #expect(message([0x7f, 0x45, 0x4c]).contains("not an ELF file"))
    var bad = good
    bad[1] = 0x46
    #expect(message(bad).contains("bad magic"))
    #expect(message(Array(good.prefix(40))).contains("truncated ELF header"))
    bad = good
    bad[4] = 1
    #expect(message(bad).contains("32-bit"))
    bad = good
    bad[5] = 2
    #expect(message(bad).contains("big-endian"))
    bad = good
    bad[18] = 62  // EM_X86_64
    bad[19] = 0
    #expect(message(bad).contains("EM_BPF"))
}

@Test func elfBoundsChecksHeadersAndNames() throws {
    let good = EmbeddedObjects.objCalls.bytes
    var o = try ObjectBytes(good)

    // Section header table past the end of the file.
    o.put64(UInt64(good.count), at: 40)
    #expect(bpfError { _ = try ELFFile(bytes: o.bytes) }.map { "\($0)" }?.contains("section header table") == true)

    // Section header table offset that overflows.
    o = try ObjectBytes(good)
    o.put64(UInt64.max - 10, at: 40)
    #expect(bpfError { _ = try ELFFile(bytes: o.bytes) } != nil)

    // Section-name string table index out of range.
    o = try ObjectBytes(good)
    o.bytes[62] = 200
    o.bytes[63] = 0
    #expect(bpfError { _ = try ELFFile(bytes: o.bytes) }.map { "\($0)" }?.contains("out of range") == true)

    // A section name offset outside the string table.
    o = try ObjectBytes(good)
    o.put32(0x00ff_ffff, at: o.sectionHeader(2))
    #expect(bpfError { _ = try ELFFile(bytes: o.bytes) }.map { "\($0)" }?.contains("section 2") == true)

    // A section whose contents lie outside the file parses, but reading it fails cleanly.
    o = try ObjectBytes(good)
    let rodata = try o.section(".rodata")
    o.put64(UInt64(good.count) - 4, at: o.sectionHeader(rodata.index) + 24)
    let elf = try ELFFile(bytes: o.bytes)
    #expect(throws: BPFError.self) { try elf.contents(of: elf.sections[rodata.index]) }

    // Symbol table running past the end of the file.
    o = try ObjectBytes(good)
    let symtab = try #require(o.elf.symbolTableIndex)
    o.put64(UInt64(good.count), at: o.sectionHeader(symtab) + 32)
    #expect(bpfError { _ = try ELFFile(bytes: o.bytes) }.map { "\($0)" }?.contains("symbol table") == true)
}

/// Every prefix and many single-byte corruptions of real objects give a value or a BPFError,
/// never a crash.
@Test func truncatedAndCorruptedObjectsNeverCrash() {
    for object in [EmbeddedObjects.objCalls, EmbeddedObjects.objMaps, EmbeddedObjects.objXdp] {
        let good = object.bytes
        var failures = 0
        for length in stride(from: 0, to: good.count, by: 13) {
            if bpfError({ _ = try ObjectSpec(bytes: Array(good.prefix(length))) }) != nil { failures += 1 }
        }
        #expect(failures > 0)
        var seed: UInt64 = 0x5eed
        for _ in 0..<400 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            var bad = good
            let at = Int((seed >> 33) % UInt64(good.count))
            bad[at] ^= UInt8(truncatingIfNeeded: seed >> 13) | 1
            _ = bpfError { _ = try ObjectSpec(bytes: bad) }
        }
    }
}

/// FuzzObjectSpec's finding (2026-12-07, an hour's run): a 64-byte header whose e_shoff is
/// 2^64 - 2 with e_shnum 0 (extended numbering) trapped on `shoff + 32` before any bounds check.
@Test func sectionHeaderOffsetNear64BitsIsRefusedNotTrapped() throws {
    let input = try #require(Data(base64Encoded: "f0VMRgIBAQAAAAAAAAAAAAEA9wABAAAAAAAAAAAAAAAAAAAAAAAAAP7/////////AAAAAEAAAAgAAEAAAAAAaW4="))
    #expect(throws: BPFError.self) { _ = try ObjectSpec(bytes: [UInt8](input), name: "fuzz") }
    #expect(throws: BPFError.self) { _ = try ELFFile(bytes: [UInt8](input)) }
}
