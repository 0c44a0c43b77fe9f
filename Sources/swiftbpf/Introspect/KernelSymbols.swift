import BPF

/// Names of the kernel functions that translated (xlated) calls point at. In xlated code a
/// helper call's `imm` is the helper's address minus `__bpf_call_base`; bpftool resolves
/// `__bpf_call_base + imm` through /proc/kallsyms, and so does this. Without read access to
/// addresses (kptr_restrict), names fall back to `unknown`.
struct KernelSymbols: Sendable {
    let names: [UInt64: String]
    let callBase: UInt64?
    /// `jited_ksyms` of the program: BPF-to-BPF calls name their target through it.
    let functions: [UInt64]

    /// Reads /proc/kallsyms once, keeping only `__bpf_call_base`, the helpers at the call
    /// offsets asked for and the program's JITed functions. The file has ~200,000 lines: it is
    /// scanned as bytes, and only the lines whose address is wanted are decoded.
    init(callOffsets: Set<Int32>, functions: [UInt64] = []) {
        self.functions = functions
        guard !callOffsets.isEmpty || !functions.isEmpty, let bytes = try? Syscalls.readFile("/proc/kallsyms") else {
            names = [:]
            callBase = nil
            return
        }
        let base = KallsymsText.address(of: Array("__bpf_call_base".utf8), in: bytes)
        callBase = base
        var wanted = Set(functions)
        if let base { wanted.formUnion(callOffsets.map { UInt64(bitPattern: Int64(bitPattern: base) &+ Int64($0)) }) }
        names = KallsymsText.names(at: wanted, in: bytes)
    }

    /// A disassembler that names helper calls by their kernel symbol.
    func disassembler() -> Disassembler {
        let names = self.names
        let base = callBase
        let functions = self.functions
        return Disassembler(callName: { insn, _ in
            if insn.src == Opcode.pseudoCall {
                // JITed: imm indexes jited_ksyms and off is the relative jump (bpftool: pc+OFF#SYMBOL).
                guard !functions.isEmpty, insn.imm >= 0, Int(insn.imm) < functions.count else { return nil }
                let address = functions[Int(insn.imm)]
                let off = insn.offset < 0 ? "\(insn.offset)" : "+\(insn.offset)"
                return off + "#" + (names[address] ?? "0x" + String(address, radix: 16))
            }
            guard insn.src == 0, let base else { return nil }
            return names[UInt64(bitPattern: Int64(bitPattern: base) &+ Int64(insn.imm))]
        })
    }
}
