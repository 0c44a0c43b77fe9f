import BPF

/// Formats map entries as bpftool's `map dump`/`lookup` do: raw bytes, plus values decoded by
/// the map's BTF when it has some.
struct MapEntryFormatter {
    let map: Map
    let btf: BTF?
    let keyType: UInt32
    let valueType: UInt32
    let cpus: Int

    init(map: Map) {
        self.map = map
        let info = try? map.info()
        keyType = info?.btfKeyTypeID ?? 0
        valueType = info?.btfValueTypeID ?? 0
        // A map whose BTF cannot be read is still dumped, as raw bytes.
        btf = (try? map.btf()) ?? nil
        cpus = map.type.isPerCPU ? ((try? PossibleCPUs.count()) ?? 1) : 1
    }

    struct Entry {
        var json: JSONNode
        var text: String
    }

    /// Per-CPU slots of a value (a single slot for other maps).
    func slots(_ value: [UInt8]) -> [[UInt8]] {
        guard map.type.isPerCPU else { return [value] }
        let stride = map.perCPUStride
        return (0..<cpus).compactMap { c in
            let start = c * stride
            return start + map.valueSize <= value.count ? Array(value[start..<start + map.valueSize]) : nil
        }
    }

    func formatted(_ type: UInt32, _ bytes: [UInt8]) -> BTFValue? {
        guard let btf, type != 0 else { return nil }
        return try? btf.value(of: type, in: bytes)
    }

    func entry(key: [UInt8], value: [UInt8]) -> Entry {
        var fields: [(String, JSONNode)] = [("key", Hex.jsonBytes(key))]
        var formattedFields: [(String, JSONNode)] = []
        let fKey = formatted(keyType, key)
        if let fKey { formattedFields.append(("key", .raw(fKey.json))) }
        var text = "key: \(fKey?.json ?? Hex.text(key))"
        if map.type.isPerCPU {
            let s = slots(value)
            fields.append(("values", .array(s.enumerated().map { .object([("cpu", .int($0.offset)), ("value", Hex.jsonBytes($0.element))]) })))
            let f = s.map { formatted(valueType, $0) }
            if f.allSatisfy({ $0 != nil }), btf != nil, valueType != 0 {
                formattedFields.append(("values", .array(f.enumerated().map { .object([("cpu", .int($0.offset)), ("value", .raw($0.element!.json))]) })))
            }
            for (c, slot) in s.enumerated() { text += "\n\tcpu \(c): \(f[c]?.json ?? Hex.text(slot))" }
        } else {
            fields.append(("value", Hex.jsonBytes(value)))
            let f = formatted(valueType, value)
            if let f { formattedFields.append(("value", .raw(f.json))) }
            text += "  value: \(f?.json ?? Hex.text(value))"
        }
        if !formattedFields.isEmpty { fields.append(("formatted", .object(formattedFields))) }
        return Entry(json: .object(fields), text: text)
    }

    func entry(key: [UInt8], error: String) -> Entry {
        Entry(json: .object([("key", Hex.jsonBytes(key)), ("error", .string(error))]), text: "key: \(Hex.text(key))  error: \(error)")
    }
}
