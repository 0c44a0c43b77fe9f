extension BPFObject {
    /// Auto-attach for `SEC("usdt/...")` sections.
    func attachUSDTSection(program: Program, spec: ProgramSpec) throws(BPFError) -> Link {
        throw .notSupported(feature: "automatic attachment of section '\(spec.sectionName)'", reason: "not implemented yet")
    }
}
