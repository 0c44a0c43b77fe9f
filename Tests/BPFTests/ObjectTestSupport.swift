import Testing
@testable import BPF

/// Edits of an ELF object's bytes for malformed-input tests, located with `ELFFile`.
struct ObjectBytes {
    var bytes: [UInt8]
    let elf: ELFFile

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        self.elf = try ELFFile(bytes: bytes)
    }

    mutating func put32(_ value: UInt32, at offset: Int) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    mutating func put64(_ value: UInt64, at offset: Int) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    /// Byte offset of section header `index`.
    func sectionHeader(_ index: Int) -> Int {
        let shoff = bytes[40..<48].reversed().reduce(0) { $0 << 8 | Int($1) }
        return shoff + 64 * index
    }

    /// Byte offset of the `Elf64_Sym` of the symbol named `name`.
    func symbolEntry(_ name: String) throws -> Int {
        let symtab = try #require(elf.symbolTableIndex)
        let sym = try #require(elf.symbols.first { $0.name == name })
        return Int(elf.sections[symtab].offset) + 24 * sym.index
    }

    func section(_ name: String) throws -> ELFSection {
        try #require(elf.section(named: name))
    }
}

/// Runs `body` and returns the BPFError it throws (nil if it does not throw).
/// Any other error is a test failure.
func bpfError(_ body: () throws -> Void) -> BPFError? {
    do {
        try body()
        return nil
    } catch let error as BPFError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}
