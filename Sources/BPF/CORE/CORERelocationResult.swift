/// What one CO-RE relocation did to one instruction: for logs, `object inspect`, and for
/// explaining a verifier rejection of a poisoned instruction.
public struct CORERelocationResult: Sendable, Hashable, CustomStringConvertible {
    /// Index of the relocated instruction inside the function it was applied to (the first half,
    /// for an ld_imm64). Shift it with `shifted(by:)` once the function is placed in a program.
    public var instructionIndex: Int
    /// What the relocation computed (UAPI `enum bpf_core_relo_kind`).
    public var kind: CORERelocationKind
    /// libbpf's short name of the kind: `byte_off`, `byte_sz`, `field_exists`, `signed`,
    /// `lshift_u64`, `rshift_u64`, `local_type_id`, `target_type_id`, `type_exists`, `type_size`,
    /// `enumval_exists`, `enumval_value`, `type_matches`.
    public var kindName: String { kind.description }
    /// The local root type id (in the object's BTF).
    public var localTypeID: UInt32
    /// The raw access string, e.g. "0:52".
    public var accessString: String
    /// The local access, e.g. `struct task_struct.pid (0:52 @ offset 2616)`,
    /// `enum pid_type::PIDTYPE_TGID = 1`, `struct task_struct___fake`.
    public var localSpec: String
    /// The matched target access (first matching candidate), e.g.
    /// `[170] struct task_struct.pid (0:77 @ offset 2544)`; nil when nothing matched.
    public var targetSpec: String?
    /// The value the instruction held before (imm, offset, or the 64-bit immediate).
    public var originalValue: Int64
    /// The value written (0 when poisoned).
    public var newValue: Int64
    /// The instruction was replaced by `call 0xbad2310` because the relocation could not be
    /// resolved against the target; the verifier rejects it only if it is reachable.
    public var poisoned: Bool
    /// A load/store size rewrite, in bytes (e.g. 8 → 4), if one happened.
    public var memorySizeFrom: Int?
    /// The size in bytes of the load or store in the target, when it differs from the local one.
    public var memorySizeTo: Int?

    /// The same result with `instructionIndex` moved by `delta` (e.g. a subprogram's position in
    /// the final program), so `explainPoison` can match verifier instruction numbers.
    public func shifted(by delta: Int) -> CORERelocationResult {
        var r = self
        r.instructionIndex += delta
        return r
    }

    /// libbpf's spec format: `<byte_off> [5] struct task_struct.pid (0:52 @ offset 2616)`.
    public var specDescription: String {
        "<\(kindName)> [\(localTypeID)] \(localSpec)"
    }

    public var description: String {
        var s = "insn \(instructionIndex): \(specDescription)"
        if poisoned {
            s += " => poisoned (no match in target BTF)"
        } else {
            s += " => \(targetSpec ?? "no target"): \(originalValue) -> \(newValue)"
            if let f = memorySizeFrom, let t = memorySizeTo { s += ", access size \(f) -> \(t)" }
        }
        return s
    }
}

extension CORERelocator {
    /// The verifier's message for a reachable poisoned instruction.
    static let poisonMarker = "call unknown#195896080"

    /// Explains a verifier rejection caused by a poisoned CO-RE instruction, as libbpf's
    /// `fixup_log_failed_core_relo` does: finds "N: (85) call unknown#195896080" in `log`,
    /// looks up the relocation at instruction N in `results` (indices in the loaded program's
    /// numbering; see `CORERelocationResult.shifted(by:)`), and returns
    /// "N: <invalid CO-RE relocation>\nfailed to resolve CO-RE relocation <byte_off> [5] struct …".
    /// Returns nil if the log shows no poisoned instruction.
    public static func explainPoison(in log: String, results: [CORERelocationResult]) -> String? {
        var explanations: [String] = []
        for line in log.split(separator: "\n", omittingEmptySubsequences: true) where line.contains(poisonMarker) {
            guard let colon = line.firstIndex(of: ":"), let index = Int(String(line[..<colon].filter { $0 != " " && $0 != "\t" })) else {
                continue
            }
            if let r = results.first(where: { $0.instructionIndex == index && $0.poisoned }) {
                explanations.append("\(index): <invalid CO-RE relocation>\nfailed to resolve CO-RE relocation \(r.specDescription)")
            } else {
                explanations.append("\(index): <invalid CO-RE relocation>\nan unresolved CO-RE relocation was reached (its record is not among the given results)")
            }
        }
        if explanations.isEmpty && log.contains("invalid func unknown#195896080") {
            let poisoned = results.filter(\.poisoned)
            if poisoned.count == 1 {
                return "failed to resolve CO-RE relocation \(poisoned[0].specDescription)"
            }
            return "a reachable instruction carries an unresolved CO-RE relocation (poison call 0xbad2310)"
        }
        return explanations.isEmpty ? nil : explanations.joined(separator: "\n")
    }

    /// `log` with each "N: (85) call unknown#195896080" / "invalid func unknown#195896080" pair
    /// replaced by the explanation of `explainPoison`.
    public static func rewritePoisonedLog(_ log: String, results: [CORERelocationResult]) -> String {
        var out: [Substring] = []
        var lines = log.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let line = lines.popFirst() {
            if line.contains(poisonMarker), let text = explainPoison(in: String(line), results: results) {
                out.append(contentsOf: text.split(separator: "\n"))
                if let next = lines.first, next.contains("invalid func unknown#195896080") { lines.removeFirst() }
            } else {
                out.append(line)
            }
        }
        return out.joined(separator: "\n")
    }
}
