extension BPFObject {
    /// Auto-attach for `SEC("uprobe/BINARY:FUNCTION[+OFFSET]")`, `uretprobe/...`, `uprobe.s/...`
    /// and `uretprobe.s/...` (libbpf's `attach_uprobe`), to every process (pid -1). The forms are
    /// parsed by `UprobeSection`; `BINARY:0xADDRESS` places the probe at a virtual address.
    func attachUprobeSection(program: Program, spec: ProgramSpec) throws(BPFError) -> Link {
        let section: UprobeSection?
        do {
            section = try UprobeSection.parse(spec.sectionName)
        } catch {
            if case let .invalidArgument(why) = error { throw .invalidArgument("program '\(spec.name)': \(why)") }
            throw error
        }
        guard let section else {
            throw .invalidArgument("program '\(spec.name)' (section '\(spec.sectionName)') names no binary and function; attach it with UprobeProgram.attach(binary:symbol:)")
        }
        let target: UprobeTarget
        switch section.location {
        case let .function(name, offset):
            target = try UprobeTarget.resolve(binary: section.binary, symbol: name, offset: offset, retprobe: section.isReturnProbe)
        case let .address(address):
            target = try UprobeTarget.resolve(binary: section.binary, address: address)
        }
        return try Link.attachUprobe(program: program, target: target, retprobe: section.isReturnProbe)
    }

    /// Attaches program `programName` (a `SEC("uprobe")`-type program) to `symbol` in `binary`;
    /// see `Link.attachUprobe(program:binary:symbol:offset:retprobe:pid:cookie:)`. `retprobe` nil
    /// takes it from the section name (`uretprobe...`).
    package func attachUprobe(_ programName: String, binary: String, symbol: String?, offset: UInt64 = 0, pid: Int32? = nil, cookie: UInt64 = 0, retprobe: Bool? = nil) throws(BPFError) -> Link {
        let program = try program(programName)
        let isReturn = retprobe ?? (spec.program(named: programName)?.sectionName.hasPrefix("uretprobe") ?? false)
        return try Link.attachUprobe(program: program, binary: binary, symbol: symbol, offset: offset, retprobe: isReturn, pid: pid, cookie: cookie)
    }
}
