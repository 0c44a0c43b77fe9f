/// Prog arrays (`BPF_MAP_TYPE_PROG_ARRAY`): the jump tables of `bpf_tail_call`.
///
/// Lifetime: the kernel empties a prog array when the last user-space reference to the map
/// goes (its last descriptor or pin: the map's "uref"), even while programs that tail-call
/// through it are still loaded or attached — their tail calls then fall through silently.
/// A `BPFObject` keeps its maps open while it lives, and each `Program` loaded from an object
/// also keeps the prog arrays it references open (see `Program.retainedMaps`), so a program
/// that outlives its object keeps its tail calls. A prog array made with `Map.create` is kept
/// by its `Map` only: keep that alive (or pin it) as long as the entries are needed.
extension Map {
    /// Stores `program` in slot `index` (`BPF_MAP_UPDATE_ELEM` with the program's descriptor).
    /// The program must be compatible with the prog array's owner (same type, same JIT
    /// requirements): the kernel answers EINVAL otherwise.
    public func setProgram(_ program: Program, at index: UInt32) throws(BPFError) {
        try checkProgramArray()
        guard Int(index) < maxEntries else {
            throw .invalidArgument("prog array '\(name)' has \(maxEntries) slots; index \(index) is out of range")
        }
        try update(key: index, value: program.fd)
    }

    /// Empties slot `index`; returns false if it was already empty.
    @discardableResult
    public func removeProgram(at index: UInt32) throws(BPFError) -> Bool {
        try checkProgramArray()
        return try delete(key: index)
    }

    /// The id of the program in slot `index` (lookups return ids), or nil if the slot is empty.
    /// Open it with `Program.open(id:)`.
    public func programID(at index: UInt32) throws(BPFError) -> UInt32? {
        try checkProgramArray()
        return try lookup(key: index, as: UInt32.self)
    }

    func checkProgramArray() throws(BPFError) {
        guard type == .progArray else { throw .invalidArgument("map '\(name)' (\(type)) is not a prog array") }
    }
}

extension BPFObject {
    /// The prog arrays among `maps` that `instructions` load with `BPF_PSEUDO_MAP_FD`.
    static func progArrays(referencedBy instructions: [Instruction], in maps: [String: Map]) -> [Map] {
        let fds = Set(instructions.lazy.filter { $0.isLoadImm64 && $0.src == Opcode.pseudoMapFD }.map(\.imm))
        return maps.values.filter { $0.type == .progArray && fds.contains($0.fd) }.sorted { $0.fd < $1.fd }
    }
}
