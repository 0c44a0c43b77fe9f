extension BPFObject {
    /// Auto-attach for `SEC("uprobe/...")` sections.
    func attachUprobeSection(program: Program, spec: ProgramSpec) throws(BPFError) -> Link {
        throw .notSupported(feature: "automatic attachment of section '\(spec.sectionName)'", reason: "not implemented yet")
    }
}
