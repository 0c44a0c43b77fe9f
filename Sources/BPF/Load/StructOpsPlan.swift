/// The struct_ops part of a load, in libbpf's order: at open, which struct_ops programs load
/// (`bpf_object_adjust_struct_ops_autoload()`); before programs load, each map laid out against
/// the kernel's BTF (`bpf_object__init_kern_struct_ops_maps()`), which gives each program its
/// `attach_btf_id` (the kernel struct) and `expected_attach_type` (the member's index); after
/// programs load, the maps (`BPF_MAP_TYPE_STRUCT_OPS`) with the programs' descriptors in their
/// value. Registration is left to `StructOpsMap.register()` (libbpf: at attach).
struct StructOpsPlan {
    let layouts: [StructOpsLayout]
    /// attach_btf_id and member index by program name.
    let bindings: [String: (typeID: UInt32, memberIndex: UInt32)]

    /// libbpf's autoload rule for struct_ops programs: a program bound by some struct_ops map
    /// loads if one of those maps is created (not `?.struct_ops`); others keep their own flag.
    static func autoloads(_ p: ProgramSpec, in spec: ObjectSpec) -> Bool {
        guard p.type == .structOps else { return p.autoload }
        let users = spec.structOpsMaps.filter { $0.programNames.contains(p.name) }
        return users.isEmpty ? p.autoload : users.contains(where: \.autocreate)
    }

    /// Lays out the created struct_ops maps against `kernel()` (only called when there are some).
    init(spec: ObjectSpec, kernel: () throws(BPFError) -> BTF) throws(BPFError) {
        let created = spec.structOpsMaps.filter(\.autocreate)
        guard !created.isEmpty else {
            layouts = []
            bindings = [:]
            return
        }
        guard let btf = spec.btf else {
            throw .malformedObject("struct_ops maps need the object's BTF, which is missing")
        }
        let kernelBTF = try kernel()
        var layouts: [StructOpsLayout] = []
        var bindings: [String: (typeID: UInt32, memberIndex: UInt32)] = [:]
        for m in created {
            let layout = try StructOpsLayout(m, objectBTF: btf, kernel: kernelBTF)
            for slot in layout.slots {
                // A program may serve several maps, for the same member of the same kernel struct.
                if let earlier = bindings[slot.program],
                   earlier.typeID != layout.kernelTypeID || earlier.memberIndex != slot.memberIndex {
                    throw .invalidArgument("program '\(slot.program)' is bound to different struct_ops members (map '\(m.name)' and another); a struct_ops program serves one member of one kernel struct")
                }
                bindings[slot.program] = (layout.kernelTypeID, slot.memberIndex)
            }
            layouts.append(layout)
        }
        self.layouts = layouts
        self.bindings = bindings
    }

    /// Sets a struct_ops program's attach target (libbpf: `attach_btf_id` = the kernel struct,
    /// `expected_attach_type` = the member index).
    func bind(_ attributes: inout ProgramLoadAttributes, program p: ProgramSpec) throws(BPFError) {
        guard p.type == .structOps else { return }
        guard let b = bindings[p.name] else {
            throw .invalidArgument("program '\(p.name)' (section '\(p.sectionName)') is a struct_ops program that no created struct_ops map refers to; bind it to a member of a struct in SEC(\".struct_ops\") or SEC(\".struct_ops.link\"), or leave it out of LoadOptions.programs")
        }
        attributes.attachBTFID = b.typeID
        attributes.expectedAttachType = AttachType(rawValue: b.memberIndex)
    }

    /// Creates each map (`BPF_MAP_CREATE`: key 4 bytes, value the kernel wrapper's size, one
    /// entry, the object's BTF with `btf_vmlinux_value_type_id` and no key/value type ids, as
    /// libbpf does; `BPF_F_LINK` for `.struct_ops.link`).
    func createMaps(programs: [String: Program], btfFD: Int32?) throws(BPFError) -> [String: StructOpsMap] {
        var out: [String: StructOpsMap] = [:]
        for layout in layouts {
            let s = layout.spec
            guard let btfFD else {
                throw .notSupported(feature: "struct_ops map '\(s.name)'",
                                    reason: "the kernel refused the object's BTF, and BPF_MAP_CREATE of a struct_ops map needs it (btf_fd)")
            }
            let attrs = MapCreateAttributes(
                name: s.name, type: .structOps, keySize: 4, valueSize: UInt32(layout.value.count), maxEntries: 1,
                flags: s.isLink ? .structOpsLink : [], btfFD: btfFD, btfVmlinuxValueTypeID: layout.valueTypeID)
            let map: Map
            do {
                map = try Map.create(attrs)
            } catch {
                // BPF_F_LINK on a struct_ops map (`.struct_ops.link`) came with Linux 6.4; before
                // it the kernel answers a bare EINVAL.
                if s.isLink, BPFCommands.isErrno(error, .EINVAL), Features.kernelVersion < LinuxVersion(6, 4) {
                    throw .notSupported(
                        feature: "struct_ops links ('.struct_ops.link' map '\(s.name)')",
                        reason: "BPF_MAP_CREATE with BPF_F_LINK fails with EINVAL: Linux 6.4 added struct_ops links, this is \(Features.kernelVersion); declare the map in '.struct_ops' to register it without a link")
                }
                throw error
            }
            var fds: [String: Int32] = [:]
            var used: [Program] = []
            for slot in layout.slots {
                guard let p = programs[slot.program] else {
                    throw .missing("program '\(slot.program)' of struct_ops map '\(s.name)' (member index \(slot.memberIndex)) was not loaded; load it or leave the map's other programs out")
                }
                fds[slot.program] = p.fd
                used.append(p)
            }
            out[s.name] = StructOpsMap(spec: s, map: map, value: try layout.filledValue(programFDs: fds), programs: used)
        }
        return out
    }
}
