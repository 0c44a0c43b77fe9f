/// Creates an object's maps in libbpf's order (`bpf_object__create_maps()`): each map with its
/// BTF key and value types where the type allows them, inner templates first for maps of maps,
/// internal maps filled with their image and `.rodata` frozen, map-in-map slots written right
/// after their outer map, and `LIBBPF_PIN_BY_NAME` maps reused from or pinned to the pin root.
struct MapCreator {
    let spec: ObjectSpec
    let options: LoadOptions
    let btfFD: Int32?
    /// The `.kconfig` map's image from the resolved externs (libbpf fills it at load).
    var kconfigImage: [UInt8]?

    /// Created (or reused) maps by name, and the pins this load made, for clean-up on failure.
    private(set) var maps: [String: Map] = [:]
    private(set) var newPins: [String] = []

    init(spec: ObjectSpec, options: LoadOptions, btfFD: Int32?) {
        self.spec = spec
        self.options = options
        self.btfFD = btfFD
    }

    mutating func createAll() throws(BPFError) {
        var images = try GlobalImages.build(spec: spec, overrides: options.globals)
        if let kconfigImage, let kconfig = spec.kconfigMap { images[kconfig.name] = kconfigImage }
        for name in options.maxEntries.keys where spec.map(named: name) == nil {
            throw .missing("map '\(name)' given in LoadOptions.maxEntries (the object's maps: \(spec.maps.map(\.name).joined(separator: ", ")))")
        }
        for var m in spec.maps {
            if let n = options.maxEntries[m.name] { m.maxEntries = n }
            let pinPath = m.pinning == .byName ? options.pinRoot + "/" + m.name : nil
            if let pinPath, let existing = try reusePinned(m, at: pinPath) {
                maps[m.name] = existing
                continue
            }
            let map = try create(m)
            if let image = images[m.name] {
                try map.update(key: [0, 0, 0, 0], value: image)
                if m.isReadOnlyData { try map.freeze() }
            }
            for slot in m.initialSlots where m.type.isMapOfMaps {
                guard let target = maps[slot.target] else {
                    throw .missing("map '\(slot.target)' for slot \(slot.index) of map-in-map '\(m.name)' (inner maps must be defined before the outer map)")
                }
                try map.update(key: slot.index, innerMap: target)
            }
            if let pinPath {
                try map.pin(pinPath)
                newPins.append(pinPath)
            }
            maps[m.name] = map
        }
    }

    /// Removes the pins this load made; used when a later step fails.
    func removeNewPins() {
        for p in newPins { try? Map.unpin(p) }
    }

    /// Creates one map; for maps of maps, its inner template first (closed right after).
    private func create(_ m: MapSpec) throws(BPFError) -> Map {
        guard m.type.isMapOfMaps else { return try createWithBTFFallback(m, innerFD: nil) }
        guard let inner = m.inner else {
            throw .malformedObject("map-in-map '\(m.name)' has no inner map definition (__array(values, ...))")
        }
        let template = try createWithBTFFallback(inner, innerFD: nil)
        return try createWithBTFFallback(m, innerFD: template.fd)
    }

    /// libbpf retries without BTF types when the kernel refuses them ("Retrying without BTF").
    private func createWithBTFFallback(_ m: MapSpec, innerFD: Int32?) throws(BPFError) -> Map {
        let attrs = try attributes(m, innerFD: innerFD, withBTF: true)
        do {
            return try Map.create(attrs)
        } catch {
            guard attrs.btfFD != nil else { throw error }
            return try Map.create(try attributes(m, innerFD: innerFD, withBTF: false))
        }
    }

    private func attributes(_ m: MapSpec, innerFD: Int32?, withBTF: Bool) throws(BPFError) -> MapCreateAttributes {
        var maxEntries = m.adjustedRingBufferSize(pageSize: UInt32(Syscalls.pageSize))
        if m.type == .perfEventArray, maxEntries == 0 { maxEntries = UInt32(try PossibleCPUs.count()) }
        let btf = withBTF && !m.createsWithoutBTFTypes && (m.keyTypeID != 0 || m.valueTypeID != 0) ? btfFD : nil
        return MapCreateAttributes(
            name: m.name, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: maxEntries,
            flags: m.flags, numaNode: m.numaNode, mapExtra: m.mapExtra, btfFD: btf,
            btfKeyTypeID: btf == nil ? 0 : m.keyTypeID, btfValueTypeID: btf == nil ? 0 : m.valueTypeID,
            innerMapFD: innerFD)
    }

    /// An existing pin is reused only if it has the same definition (libbpf's `map_is_reuse_compat`).
    private func reusePinned(_ m: MapSpec, at path: String) throws(BPFError) -> Map? {
        let existing: Map
        do {
            existing = try Map.open(pinned: path)
        } catch {
            if case let .syscall(_, e) = error, e == .ENOENT { return nil }
            throw error
        }
        var wanted = m
        wanted.maxEntries = m.adjustedRingBufferSize(pageSize: UInt32(Syscalls.pageSize))
        var differences: [String] = []
        if existing.type != wanted.type { differences.append("type \(existing.type) != \(wanted.type)") }
        if existing.keySize != Int(wanted.keySize) { differences.append("key size \(existing.keySize) != \(wanted.keySize)") }
        if existing.valueSize != Int(wanted.valueSize) { differences.append("value size \(existing.valueSize) != \(wanted.valueSize)") }
        if existing.maxEntries != Int(wanted.maxEntries) { differences.append("max_entries \(existing.maxEntries) != \(wanted.maxEntries)") }
        if existing.flags != wanted.flags { differences.append("flags 0x\(String(existing.flags.rawValue, radix: 16)) != 0x\(String(wanted.flags.rawValue, radix: 16))") }
        guard differences.isEmpty else {
            throw .invalidArgument("pinned map at \(path) is incompatible with map '\(m.name)': " + differences.joined(separator: ", "))
        }
        return existing
    }
}

/// The initial images of internal maps, with user-set globals written in.
enum GlobalImages {
    static func build(spec: ObjectSpec, overrides: [String: [UInt8]]) throws(BPFError) -> [String: [UInt8]] {
        var images: [String: [UInt8]] = [:]
        for m in spec.maps where m.isInternal {
            images[m.name] = m.contents ?? [UInt8](repeating: 0, count: Int(m.valueSize))
        }
        for (name, bytes) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let v = spec.variable(named: name) else {
                throw .missing("global variable '\(name)' (the object's globals: \(spec.variables.map(\.name).joined(separator: ", ")))")
            }
            guard bytes.count == Int(v.size) else {
                throw .invalidArgument("global '\(name)' is \(v.size) bytes, the value given is \(bytes.count)")
            }
            guard var image = images[v.mapName], Int(v.offset) + bytes.count <= image.count else {
                throw .missing("internal map '\(v.mapName)' for global '\(name)'")
            }
            image.replaceSubrange(Int(v.offset)..<Int(v.offset) + bytes.count, with: bytes)
            images[v.mapName] = image
        }
        return images
    }
}
