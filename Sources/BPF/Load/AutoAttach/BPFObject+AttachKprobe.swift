extension BPFObject {
    /// Auto-attach for `SEC("kprobe/...")` sections.
    func attachKprobeSection(program: Program, spec: ProgramSpec) throws(BPFError) -> Link {
        throw .notSupported(feature: "automatic attachment of section '\(spec.sectionName)'", reason: "not implemented yet")
    }
}
