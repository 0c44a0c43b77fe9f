extension BPFObject {
    /// Auto-attach for `SEC("usdt/PATH:PROVIDER:NAME")` (and `usdt.s/`), libbpf's format: the
    /// program is attached to every site of probe `PROVIDER:NAME` of the binary at `PATH`, in
    /// every process. A bare `SEC("usdt")` names no probe: attach it with `USDTProgram.attach(binary:provider:name:)`.
    func attachUSDTSection(program: Program, spec: ProgramSpec) throws(BPFError) -> Link {
        guard let target = try USDTSectionTarget.parse(sectionName: spec.sectionName) else {
            throw .invalidArgument("section '\(spec.sectionName)' of program '\(spec.name)' names no probe (usdt/PATH:PROVIDER:NAME); attach it with USDTProgram.attach(binary:provider:name:)")
        }
        return try attachUSDT(spec.name, binary: target.path, provider: target.provider, name: target.name)
    }
}
