/// A reference from one instruction that the linker or loader resolves.
enum LinkReference: Equatable, Sendable {
    /// `ld_imm64` of a map defined in `.maps` (becomes `BPF_PSEUDO_MAP_FD`).
    case map(String)
    /// `ld_imm64` of global data: the internal map and the symbol's offset in it
    /// (becomes `BPF_PSEUDO_MAP_VALUE`).
    case data(mapName: String, offset: UInt32)
    /// A bpf-to-bpf call; the callee starts at this instruction of `.text`.
    case call(textInstruction: Int)
    /// `ld_imm64` of a function's address (e.g. a `bpf_loop` callback) at this `.text` instruction.
    case functionAddress(textInstruction: Int)
    /// An extern the object does not define (kconfig, ksym, kfunc).
    case external(String)
}

/// A function of the object as the linker sees it: its instructions and the references in them.
struct CodeUnit: Sendable {
    var name: String
    /// The ELF section the function lives in.
    var sectionName: String
    /// Where the function starts in its section, in instructions.
    var sectionOffset: Int
    var instructions: [Instruction]
    /// References by instruction index within the function.
    var references: [(index: Int, reference: LinkReference)]
}

/// `.BTF.ext` records (func_info or line_info) of one section: each record is a row of u32 words
/// whose first word is the instruction's byte offset in the section (`insn_off`).
struct ExtInfoRecords: Sendable {
    var recordSize: Int
    var records: [[UInt32]]
}

/// The result of linking one main program: its final instructions with every subprogram it
/// reaches appended, the references left for the loader (maps, data, externs), and func_info
/// and line_info rebased to instruction indices of the final program.
struct LinkedProgram: Sendable {
    var instructions: [Instruction]
    var references: [(index: Int, reference: LinkReference)]
    var funcInfo: ExtInfoRecords?
    var lineInfo: ExtInfoRecords?
    /// Where each appended subprogram starts in this program, by its start in `.text`.
    var placements: [Int: Int]
}

/// Appends the `.text` subprograms a program calls, as libbpf does (`bpf_object__reloc_code`):
/// depth first, in the order of first reference, each main program with its own copies, and
/// subprograms it never reaches left out. Then fixes each call's relative offset.
/// func_info and line_info of each appended function follow it (`adjust_prog_btf_ext_info`);
/// a main program without them gets none.
struct CallLinker {
    /// The `.text` functions, by start instruction.
    let subprograms: [Int: CodeUnit]
    /// `.BTF.ext` func_info and line_info by section name.
    let funcInfo: [String: ExtInfoRecords]
    let lineInfo: [String: ExtInfoRecords]

    init(subprograms: [CodeUnit], funcInfo: [String: ExtInfoRecords], lineInfo: [String: ExtInfoRecords]) {
        var byStart: [Int: CodeUnit] = [:]
        for s in subprograms { byStart[s.sectionOffset] = s }
        self.subprograms = byStart
        self.funcInfo = funcInfo
        self.lineInfo = lineInfo
    }

    func link(_ main: CodeUnit) throws(BPFError) -> LinkedProgram {
        var state = State(instructions: main.instructions)
        state.funcInfo = funcInfo[main.sectionName].map { ExtInfoRecords(recordSize: $0.recordSize, records: []) }
        state.lineInfo = lineInfo[main.sectionName].map { ExtInfoRecords(recordSize: $0.recordSize, records: []) }
        appendExtInfo(of: main, at: 0, into: &state)
        try relocate(main, at: 0, state: &state, program: main.name)
        // Drop func_info entirely if the main program had none (libbpf: "missing func_info").
        if let fi = state.funcInfo, fi.records.isEmpty { state.funcInfo = nil }
        if let li = state.lineInfo, li.records.isEmpty { state.lineInfo = nil }
        return LinkedProgram(instructions: state.instructions, references: state.references,
                             funcInfo: state.funcInfo, lineInfo: state.lineInfo, placements: state.placed)
    }

    private struct State {
        var instructions: [Instruction]
        var references: [(index: Int, reference: LinkReference)] = []
        /// Where each appended subprogram starts in this program, by its `.text` start.
        var placed: [Int: Int] = [:]
        var funcInfo: ExtInfoRecords?
        var lineInfo: ExtInfoRecords?
    }

    /// Resolves the calls of `unit`, which sits at `base` in the program, appending callees.
    private func relocate(_ unit: CodeUnit, at base: Int, state: inout State, program: String) throws(BPFError) {
        let refs = Dictionary(unit.references.map { ($0.index, $0.reference) }, uniquingKeysWith: { a, _ in a })
        var i = 0
        while i < unit.instructions.count {
            let insn = unit.instructions[i]
            var target: Int?
            switch refs[i] {
            case .call(let t)?:
                guard insn.isCall else { throw .malformedObject("program '\(program)': call relocation on a non-call instruction \(i) of '\(unit.name)'") }
                target = t
            case .functionAddress(let t)?:
                target = t
            case let ref?:
                state.references.append((base + i, ref))
            case nil:
                // No relocation: a call to a static function of the same section. libbpf
                // (`bpf_object__reloc_code`) computes the index from the section offset and
                // looks it up in .text, for a BPF_K pseudo call with dst 0 and off 0 or a
                // BPF_PSEUDO_FUNC ld_imm64.
                if (insn.isPseudoCall && insn.dst == 0 && insn.offset == 0) || insn.isPseudoFunc {
                    target = unit.sectionOffset + i + Int(insn.imm) + 1
                }
            }
            if let target {
                // libbpf links the whole function that contains the target (`find_prog_by_sec_insn`).
                guard let callee = function(containing: target) else {
                    throw .malformedObject("program '\(program)': call at instruction \(i) of '\(unit.name)' targets .text instruction \(target), which is in no function")
                }
                let start: Int
                if let placed = state.placed[callee.sectionOffset] {
                    start = placed
                } else {
                    start = state.instructions.count
                    state.placed[callee.sectionOffset] = start
                    state.instructions.append(contentsOf: callee.instructions)
                    appendExtInfo(of: callee, at: start, into: &state)
                    try relocate(callee, at: start, state: &state, program: program)
                }
                // Like libbpf, the call goes to the start of the function containing the target.
                var patched = state.instructions[base + i]
                patched.imm = Int32(start - (base + i) - 1)
                if patched.isLoadImm64 { patched.src = Opcode.pseudoFunc }
                state.instructions[base + i] = patched
            }
            i += insn.isLoadImm64 ? 2 : 1
        }
    }

    private func function(containing textInstruction: Int) -> CodeUnit? {
        if let exact = subprograms[textInstruction] { return exact }
        return subprograms.values.first { $0.sectionOffset <= textInstruction && textInstruction < $0.sectionOffset + $0.instructions.count }
    }

    /// Copies the func_info and line_info records that fall inside `unit`, rebased to `start`.
    private func appendExtInfo(of unit: CodeUnit, at start: Int, into state: inout State) {
        func rebase(_ source: ExtInfoRecords?, _ dest: inout ExtInfoRecords?) {
            guard let source, dest != nil else { return }
            let lo = unit.sectionOffset, hi = unit.sectionOffset + unit.instructions.count
            for r in source.records {
                let insn = Int(r[0] / 8)
                guard insn >= lo, insn < hi else { continue }
                var copy = r
                copy[0] = UInt32(insn - lo + start)
                dest!.records.append(copy)
            }
        }
        rebase(funcInfo[unit.sectionName], &state.funcInfo)
        rebase(lineInfo[unit.sectionName], &state.lineInfo)
    }
}

extension ExtInfoRecords {
    /// The records as the kernel reads them (`struct bpf_func_info` / `struct bpf_line_info`).
    var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(records.count * recordSize)
        for r in records {
            var row = [UInt8]()
            for w in r { withUnsafeBytes(of: w.littleEndian) { row.append(contentsOf: $0) } }
            row += [UInt8](repeating: 0, count: max(0, recordSize - row.count))
            out += row.prefix(recordSize)
        }
        return out
    }
}
