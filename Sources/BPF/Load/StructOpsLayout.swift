/// A struct_ops map laid out against the kernel's BTF (libbpf's `find_struct_ops_kern_types()`
/// and `bpf_map__init_kern_struct_ops()`): the kernel's wrapper type, the value image in the
/// kernel's layout, and where each bound program's descriptor goes.
///
/// The kernel's value type for struct `T` is `struct bpf_struct_ops_T`, which holds a `T`
/// (its `data` member) after the kernel's own bookkeeping. Members are matched by name, not by
/// position, so an object compiled against other kernel headers still registers: a member the
/// kernel lacks is skipped only if it is zero and no program is bound to it.
struct StructOpsLayout: Sendable {
    /// A bound function pointer: the program, the kernel member's index (the program's
    /// `expected_attach_type`) and the byte offset of its slot in `value`.
    struct Slot: Sendable, Equatable {
        var program: String
        var memberIndex: UInt32
        var valueOffset: Int
    }

    let spec: StructOpsMapSpec
    /// The kernel's struct (e.g. `tcp_congestion_ops`): the programs' `attach_btf_id`.
    let kernelTypeID: UInt32
    /// `bpf_struct_ops_<name>`: the map's `btf_vmlinux_value_type_id`.
    let valueTypeID: UInt32
    /// The value in the kernel's layout; function-pointer slots are filled with program
    /// descriptors (`filledValue(programFDs:)`) just before `BPF_MAP_UPDATE_ELEM`.
    let value: [UInt8]
    let slots: [Slot]

    init(_ spec: StructOpsMapSpec, objectBTF btf: BTF, kernel: BTF) throws(BPFError) {
        self.spec = spec
        let tname = BTFName.essentialName(spec.typeName)
        let wrapperName = "bpf_struct_ops_" + tname
        guard let vtypeID = kernel.typeID(named: wrapperName, kind: .struct) else {
            throw .notSupported(
                feature: "struct_ops '\(tname)' (map '\(spec.name)')",
                reason: "the kernel BTF has no 'struct \(wrapperName)', so this kernel cannot take a '\(tname)' from BPF (too old, or the subsystem that registers it is not built or its module not loaded)")
        }
        guard let ktypeID = kernel.typeID(named: tname, kind: .struct) else {
            throw .notSupported(feature: "struct_ops '\(tname)' (map '\(spec.name)')", reason: "the kernel BTF has no 'struct \(tname)'")
        }
        let vtype = try kernel.type(vtypeID)
        let ktype = try kernel.type(ktypeID)
        guard let dataMember = vtype.members.first(where: { $0.type == ktypeID }) else {
            throw .malformedBTF("kernel 'struct \(wrapperName)' has no member of type 'struct \(tname)'")
        }
        let dataOffset = dataMember.byteOffset
        var value = [UInt8](repeating: 0, count: Int(vtype.sizeOrType))
        var slots: [Slot] = []
        let type = try btf.type(spec.typeID)
        let bound = Dictionary(spec.functions.map { ($0.index, $0.program) }, uniquingKeysWith: { a, _ in a })

        for (i, member) in type.members.enumerated() {
            let what = "struct_ops map '\(spec.name)': member '\(member.name)' of '\(spec.typeName)'"
            let offset = member.byteOffset
            let size = try btf.size(of: member.type)
            guard offset + size <= spec.data.count else { throw .malformedObject("\(what) lies outside the variable's \(spec.data.count) bytes") }
            let bytes = spec.data[offset..<offset + size]
            guard let k = ktype.members.firstIndex(where: { $0.name == member.name }) else {
                if let program = bound[i] {
                    throw .notSupported(feature: what, reason: "the kernel's 'struct \(tname)' has no member '\(member.name)', to which the object binds program '\(program)'")
                }
                guard bytes.allSatisfy({ $0 == 0 }) else {
                    throw .notSupported(feature: what, reason: "the kernel's 'struct \(tname)' has no member '\(member.name)', and the object sets it")
                }
                continue  // libbpf: a zero member the kernel lacks is skipped
            }
            let kmember = ktype.members[k]
            guard member.bitfieldSize == 0, kmember.bitfieldSize == 0 else {
                throw .notSupported(feature: what, reason: "bitfield members are not supported in struct_ops (as in libbpf)")
            }
            let kernelOffset = dataOffset + kmember.byteOffset
            let mtype = try btf.resolvedType(member.type)
            let ktype = try kernel.resolvedType(kmember.type)
            guard mtype.kind == ktype.kind else {
                throw .invalidArgument("\(what) is a \(mtype.kind) in the object but a \(ktype.kind) in the kernel")
            }
            if mtype.kind == .ptr {
                guard let program = bound[i] else { continue }  // an unset callback stays NULL
                guard try kernel.resolvedType(ktype.sizeOrType).kind == .funcProto else {
                    throw .invalidArgument("\(what): the kernel member is not a function pointer, but the object binds program '\(program)' to it")
                }
                slots.append(Slot(program: program, memberIndex: UInt32(k), valueOffset: kernelOffset))
                continue
            }
            let ksize = try kernel.size(of: kmember.type)
            guard ksize == size, kernelOffset + size <= value.count else {
                throw .invalidArgument("\(what) is \(size) bytes in the object but \(ksize) in the kernel")
            }
            value.replaceSubrange(kernelOffset..<kernelOffset + size, with: bytes)
        }
        self.kernelTypeID = ktypeID
        self.valueTypeID = vtypeID
        self.value = value
        self.slots = slots
    }

    /// The value with each bound program's descriptor in its function-pointer slot (the kernel
    /// reads the 8-byte slot as a program fd in `BPF_MAP_UPDATE_ELEM` of a struct_ops map).
    func filledValue(programFDs: [String: Int32]) throws(BPFError) -> [UInt8] {
        var v = value
        for slot in slots {
            guard let fd = programFDs[slot.program] else {
                throw .missing("program '\(slot.program)' of struct_ops map '\(spec.name)' was not loaded")
            }
            withUnsafeBytes(of: UInt64(UInt32(bitPattern: fd)).littleEndian) {
                v.replaceSubrange(slot.valueOffset..<slot.valueOffset + 8, with: $0)
            }
        }
        return v
    }
}
