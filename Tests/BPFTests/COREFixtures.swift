@testable import BPF

/// A clang-built test object opened just far enough for CO-RE tests: its BTF, its CO-RE records
/// per section (`BTFExt`), and its functions (from the ELF symbol table).
struct COREObject {
    struct Function {
        var name: String
        var section: String
        /// Start, in instructions, inside the section.
        var sectionOffset: Int
        var instructions: [Instruction]
    }

    let elf: ELFFile
    let btf: BTF
    /// Section name → CO-RE records, in `.BTF.ext` order.
    let records: [String: [CORERelocationRecord]]
    let functions: [String: Function]

    init(_ bytes: [UInt8]) throws {
        elf = try ELFFile(bytes: bytes)
        guard let btfSection = elf.section(named: ".BTF") else { throw BPFError.missing(".BTF") }
        btf = try BTF(bytes: try elf.contents(of: btfSection))
        if let extSection = elf.section(named: ".BTF.ext") {
            records = try BTFExt(bytes: try elf.contents(of: extSection), btf: btf).coreRelocations
        } else {
            records = [:]
        }
        var functions: [String: Function] = [:]
        for symbol in elf.symbols where symbol.type == .function {
            guard let section = elf.section(at: Int(symbol.sectionIndex)) else { continue }
            let code = try elf.contents(of: section)
            let start = Int(symbol.value), end = start + Int(symbol.size)
            guard end <= code.count else { continue }
            functions[symbol.name] = Function(name: symbol.name, section: section.name, sectionOffset: start / 8,
                                              instructions: Instruction.decode(code[start..<end]))
        }
        self.functions = functions
    }

    /// Relocates function `name` against `target`; returns the patched instructions and results.
    func relocate(_ name: String, against target: BTF, relocator: CORERelocator? = nil) throws -> ([Instruction], [CORERelocationResult]) {
        guard let f = functions[name] else { throw BPFError.missing("function \(name)") }
        var insns = f.instructions
        let r = relocator ?? CORERelocator(local: btf, target: target)
        let results = try r.apply(to: &insns, sectionOffset: f.sectionOffset, records: records[f.section] ?? [],
                                  programName: name)
        return (insns, results)
    }
}

/// Independent lookups in the kernel's BTF, for expected values: walks members by name
/// (descending into anonymous members) without the CO-RE engine.
struct KernelLayout {
    let btf: BTF

    func structID(_ name: String) throws -> UInt32 {
        guard let id = btf.typeID(named: name, kind: .struct) else { throw BPFError.missing("struct \(name)") }
        return id
    }

    /// (bit offset, bitfield size, member type id) of `member` in struct `name`.
    func member(_ name: String, _ member: String) throws -> (bitOffset: Int, bitSize: Int, type: UInt32) {
        guard let found = try find(member, in: try structID(name), base: 0) else {
            throw BPFError.missing("\(name).\(member)")
        }
        return found
    }

    private func find(_ member: String, in id: UInt32, base: Int) throws -> (Int, Int, UInt32)? {
        let t = try btf.type(id)
        for m in t.members {
            if m.name == member { return (base + Int(m.bitOffset), Int(m.bitfieldSize), m.type) }
            if m.name.isEmpty {
                var inner = try btf.type(m.type)
                while inner.kind.isModifierOrTypedef, let r = inner.referencedType { inner = try btf.type(r) }
                if inner.kind.isComposite, let hit = try find(member, in: inner.id, base: base + Int(m.bitOffset)) {
                    return hit
                }
            }
        }
        return nil
    }

    func byteOffset(_ name: String, _ member: String) throws -> Int { try self.member(name, member).bitOffset / 8 }

    /// Size in bytes of a type (through typedefs and modifiers; arrays multiplied).
    func size(of id: UInt32) throws -> Int {
        let t = try btf.type(id)
        switch t.kind {
        case .ptr: return 8
        case .array: return try size(of: t.array!.element) * Int(t.array!.count)
        case .typedef, .const, .volatile, .restrict, .typeTag: return try size(of: t.referencedType!)
        default: return t.size ?? 0
        }
    }

    func enumValue(_ enumName: String, _ name: String) throws -> Int64 {
        guard let id = btf.typeID(named: enumName, kind: .enum) ?? btf.typeID(named: enumName, kind: .enum64) else {
            throw BPFError.missing("enum \(enumName)")
        }
        guard let e = try btf.type(id).enumerators.first(where: { $0.name == name }) else {
            throw BPFError.missing("\(enumName)::\(name)")
        }
        return e.value
    }
}
