extension ObjectParser {
    /// libbpf's `bpf_object__init_maps()`: BTF-defined maps of `.maps` in DATASEC order, then one
    /// internal map per non-empty data, rodata or bss section in section-index order, then `.kconfig`.
    mutating func initMaps() throws(BPFError) {
        try initBTFMaps()
        try initInternalMaps()
        try initKconfigMap()
    }

    /// `bpf_object__init_user_btf_maps()` / `bpf_object__init_user_btf_map()`.
    mutating func initBTFMaps() throws(BPFError) {
        guard let mapsIndex else { return }
        guard let btf else {
            throw BPFError.malformedObject("BTF is required for maps in .maps, but the object has none")
        }
        let mapsSize = elf.sections[mapsIndex].size
        guard let secID = btf.ownTypeIDs.first(where: { btf.kind(of: $0) == .dataSec && btf.name(of: $0) == ".maps" }) else {
            throw BPFError.malformedObject("DATASEC '.maps' not found in the object's BTF")
        }
        let sec = try btf.type(secID)
        for (i, entry) in sec.dataSecEntries.enumerated() {
            let v = try btf.type(entry.type)
            let name = v.name
            guard !name.isEmpty else { throw BPFError.malformedObject("map #\(i): empty name") }
            guard UInt64(entry.offset) + UInt64(entry.size) <= mapsSize else {
                throw BPFError.malformedObject("map '\(name)' BTF data is corrupted (outside the .maps section)")
            }
            guard v.kind == .var else {
                throw BPFError.malformedObject("map '\(name)': unexpected var kind \(v.kind)")
            }
            guard v.linkage == .global else {
                throw BPFError.malformedObject("map '\(name)': unsupported map linkage \(v.linkage.map { "\($0)" } ?? "?")")
            }
            let def = try btf.resolvedType(v.sizeOrType)
            guard def.kind == .struct else {
                throw BPFError.malformedObject("map '\(name)': unexpected def kind \(def.kind)")
            }
            guard def.sizeOrType <= entry.size else {
                throw BPFError.malformedObject("map '\(name)': invalid def size")
            }
            let outer = try parseMapDefinition(name: name, def: def, btf: btf, isInner: false)
            var spec = outer.spec(name: name)
            spec.sectionName = ".maps"
            spec.sectionIndex = mapsIndex
            spec.sectionOffset = UInt64(entry.offset)
            if let inner = outer.inner.first {
                var innerSpec = inner.spec(name: name + ".inner")
                innerSpec.sectionName = ".maps"
                innerSpec.sectionIndex = mapsIndex
                spec.inner = innerSpec
            }
            maps.append(spec)
            mapEntries.append(entry)
        }
    }

    /// `bpf_object__init_global_data_maps()` / `bpf_object__init_internal_map()`.
    mutating func initInternalMaps() throws(BPFError) {
        for s in elf.sections {
            guard let kind = sectionKinds[s.index], s.size > 0 else { continue }
            let mapKind: MapSpec.InternalKind
            switch kind {
            case .data: mapKind = .data
            case .rodata: mapKind = .rodata
            case .bss: mapKind = .bss
            default: continue
            }
            guard s.size <= UInt64(UInt32.max) else {
                throw BPFError.malformedObject("section '\(s.name)' is too large for a map value (\(s.size) bytes)")
            }
            let contents: [UInt8]
            if mapKind == .bss {
                guard s.size <= 1 << 30 else {
                    throw BPFError.malformedObject("section '\(s.name)' is too large (\(s.size) bytes)")
                }
                contents = [UInt8](repeating: 0, count: Int(s.size))
            } else {
                contents = try elf.contents(of: s)
            }
            var spec = MapSpec(
                name: ObjectNaming.internalMapName(objectName: objectName, sectionName: s.name),
                type: .array, keySize: 4, valueSize: UInt32(s.size), maxEntries: 1,
                flags: mapKind == .rodata ? .readOnlyProgram : [],
                contents: contents, internalKind: mapKind, sectionName: s.name, sectionIndex: s.index)
            // map_fill_btf_type_info(): the first type named like the section (none for .rodata.str1.1).
            if let btf, let id = btf.typeIDs(named: s.name).first {
                spec.valueTypeID = id
                // map_is_mmapable(): a DATASEC with at least one non-static VAR.
                if btf.kind(of: id) == .dataSec {
                    var mmapable = false
                    for e in try btf.type(id).dataSecEntries {
                        let v = try btf.type(e.type)
                        guard v.kind == .var else { continue }
                        if v.linkage != .static { mmapable = true }
                        variables.append(VariableSpec(
                            name: v.name, mapName: spec.name, sectionName: s.name, offset: e.offset, size: e.size,
                            typeID: v.sizeOrType, varID: e.type, isConst: mapKind == .rodata,
                            linkage: v.linkage ?? .static))
                    }
                    if mmapable { spec.flags.insert(.mmapable) }
                }
            }
            maps.append(spec)
        }
    }
}

/// libbpf's `struct btf_map_def`: the fields of one `.maps` definition.
struct MapDefinition {
    var type: UInt32 = 0
    var keySize: UInt32 = 0
    var valueSize: UInt32 = 0
    var maxEntries: UInt32 = 0
    var flags: UInt32 = 0
    var numaNode: UInt32 = 0
    var pinning: UInt32 = 0
    var mapExtra: UInt64 = 0
    var keyTypeID: UInt32 = 0
    var valueTypeID: UInt32 = 0
    /// The inner map definition of a map of maps (`values` pointing to a struct): zero or one
    /// (an array because a struct cannot hold an optional of itself).
    var inner: [MapDefinition] = []

    func spec(name: String) -> MapSpec {
        MapSpec(name: name, type: MapType(rawValue: type), keySize: keySize, valueSize: valueSize,
                maxEntries: maxEntries, flags: MapFlags(rawValue: flags), numaNode: numaNode,
                pinning: pinning == 1 ? .byName : .none, mapExtra: mapExtra,
                keyTypeID: keyTypeID, valueTypeID: valueTypeID)
    }
}

extension ObjectParser {
    /// libbpf's `parse_btf_map_def()` (strict: unknown fields are errors). An inner definition
    /// (`isInner`) may not have `values` or `pinning`.
    func parseMapDefinition(name: String, def: BTFType, btf: BTF, isInner: Bool) throws(BPFError) -> MapDefinition {
        var map = MapDefinition()
        let members = def.members
        for (i, m) in members.enumerated() {
            switch m.name {
            case "type":
                map.type = try mapFieldInt(name, m, btf)
            case "max_entries":
                map.maxEntries = try mapFieldInt(name, m, btf)
            case "map_flags":
                map.flags = try mapFieldInt(name, m, btf)
            case "numa_node":
                map.numaNode = try mapFieldInt(name, m, btf)
            case "key_size":
                let sz = try mapFieldInt(name, m, btf)
                if map.keySize != 0 && map.keySize != sz {
                    throw BPFError.malformedObject("map '\(name)': conflicting key size \(map.keySize) != \(sz)")
                }
                map.keySize = sz
            case "key", "value":
                let t = try btf.type(m.type)
                guard t.kind == .ptr else {
                    throw BPFError.malformedObject("map '\(name)': \(m.name) spec is not PTR: \(t.kind)")
                }
                let sz: Int
                do { sz = try btf.size(of: t.sizeOrType) } catch {
                    throw BPFError.malformedObject("map '\(name)': can't determine \(m.name) size for type [\(t.sizeOrType)]: \(error)")
                }
                let current = m.name == "key" ? map.keySize : map.valueSize
                if current != 0 && Int(current) != sz {
                    throw BPFError.malformedObject("map '\(name)': conflicting \(m.name) size \(current) != \(sz)")
                }
                if m.name == "key" {
                    map.keySize = UInt32(sz)
                    map.keyTypeID = t.sizeOrType
                } else {
                    map.valueSize = UInt32(sz)
                    map.valueTypeID = t.sizeOrType
                }
            case "value_size":
                let sz = try mapFieldInt(name, m, btf)
                if map.valueSize != 0 && map.valueSize != sz {
                    throw BPFError.malformedObject("map '\(name)': conflicting value size \(map.valueSize) != \(sz)")
                }
                map.valueSize = sz
            case "values":
                let type = MapType(rawValue: map.type)
                let isMapInMap = type.isMapOfMaps
                let isProgArray = type == .progArray
                let desc = isMapInMap ? "map-in-map inner" : "prog-array value"
                if isInner {
                    throw BPFError.malformedObject("map '\(name)': multi-level inner maps not supported")
                }
                guard i == members.count - 1 else {
                    throw BPFError.malformedObject("map '\(name)': 'values' member should be last")
                }
                guard isMapInMap || isProgArray else {
                    throw BPFError.malformedObject("map '\(name)': should be map-in-map or prog-array")
                }
                if map.valueSize != 0 && map.valueSize != 4 {
                    throw BPFError.malformedObject("map '\(name)': conflicting value size \(map.valueSize) != 4")
                }
                map.valueSize = 4
                let arr = try btf.type(m.type)
                guard arr.kind == .array, arr.array?.count == 0, let element = arr.array?.element else {
                    throw BPFError.malformedObject("map '\(name)': \(desc) spec is not a zero-sized array")
                }
                let ptr = try btf.resolvedType(element)
                guard ptr.kind == .ptr else {
                    throw BPFError.malformedObject("map '\(name)': \(desc) def is of unexpected kind \(ptr.kind)")
                }
                let target = try btf.resolvedType(ptr.sizeOrType)
                if isProgArray {
                    guard target.kind == .funcProto else {
                        throw BPFError.malformedObject("map '\(name)': prog-array value def is of unexpected kind \(target.kind)")
                    }
                    continue
                }
                guard target.kind == .struct else {
                    throw BPFError.malformedObject("map '\(name)': map-in-map inner def is of unexpected kind \(target.kind)")
                }
                map.inner = [try parseMapDefinition(name: name + ".inner", def: target, btf: btf, isInner: true)]
            case "pinning":
                if isInner { throw BPFError.malformedObject("map '\(name)': inner def can't be pinned") }
                let v = try mapFieldInt(name, m, btf)
                guard v == 0 || v == 1 else { throw BPFError.malformedObject("map '\(name)': invalid pinning value \(v)") }
                map.pinning = v
            case "map_extra":
                map.mapExtra = try mapFieldLong(name, m, btf)
            default:
                throw BPFError.malformedObject("map '\(name)': unknown field '\(m.name)'")
            }
        }
        guard map.type != 0 else { throw BPFError.malformedObject("map '\(name)': map type isn't specified") }
        return map
    }

    /// `get_map_field_int()`: `int (*f)[N]` encodes N.
    private func mapFieldInt(_ map: String, _ m: BTFMember, _ btf: BTF) throws(BPFError) -> UInt32 {
        let t = try btf.resolvedType(m.type)
        guard t.kind == .ptr else {
            throw BPFError.malformedObject("map '\(map)': attr '\(m.name)': expected PTR, got \(t.kind)")
        }
        let arr = try btf.type(t.sizeOrType)
        guard arr.kind == .array, let a = arr.array else {
            throw BPFError.malformedObject("map '\(map)': attr '\(m.name)': expected ARRAY, got \(arr.kind)")
        }
        return a.count
    }

    /// `get_map_field_long()`: a `__uint` pointer encoding, or a one-value enum (`__ulong`).
    private func mapFieldLong(_ map: String, _ m: BTFMember, _ btf: BTF) throws(BPFError) -> UInt64 {
        let t = try btf.resolvedType(m.type)
        if t.kind == .ptr { return UInt64(try mapFieldInt(map, m, btf)) }
        guard t.kind.isEnum else {
            throw BPFError.malformedObject("map '\(map)': attr '\(m.name)': expected ENUM or ENUM64, got \(t.kind)")
        }
        guard t.enumerators.count == 1 else {
            throw BPFError.malformedObject("map '\(map)': attr '\(m.name)': invalid __ulong")
        }
        // A 32-bit ENUM value is sign-extended (libbpf assigns the __s32 `e->val` to a __u64).
        let e = t.enumerators[0]
        if t.kind == .enum { return UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: e.value))) }
        return e.unsignedValue
    }
}
