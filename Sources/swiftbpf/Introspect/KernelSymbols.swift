import BPF

/// Names of the kernel functions that translated (xlated) helper calls point at. In xlated
/// code a helper call's `imm` is the helper's address minus `__bpf_call_base`; bpftool
/// resolves `__bpf_call_base + imm` through /proc/kallsyms, and so does this. Without read
/// access to addresses (kptr_restrict), names fall back to `unknown`.
struct KernelSymbols: Sendable {
    let names: [UInt64: String]
    let callBase: UInt64?
    /// `jited_ksyms` of the program: BPF-to-BPF calls name their target through it.
    let functions: [UInt64]

    /// Reads /proc/kallsyms once, keeping only `__bpf_call_base`, the helpers at the call
    /// offsets asked for and the program's JITed functions.
    init(callOffsets: Set<Int32>, functions: [UInt64] = []) {
        self.functions = functions
        guard !callOffsets.isEmpty || !functions.isEmpty, let bytes = try? Syscalls.readFile("/proc/kallsyms") else {
            names = [:]
            callBase = nil
            return
        }
        var base: UInt64?
        var all: [(UInt64, Substring)] = []
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 3)
            guard parts.count >= 3, let address = UInt64(parts[0], radix: 16), address != 0 else { continue }
            var name = parts[2]
            if let tab = name.firstIndex(of: "\t") { name = name[..<tab] }
            if name == "__bpf_call_base" { base = address }
            all.append((address, name))
        }
        callBase = base
        var wanted = Set(functions)
        if let base { wanted.formUnion(callOffsets.map { UInt64(bitPattern: Int64(bitPattern: base) &+ Int64($0)) }) }
        var found: [UInt64: String] = [:]
        for (address, name) in all where wanted.contains(address) && found[address] == nil { found[address] = String(name) }
        names = found
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
