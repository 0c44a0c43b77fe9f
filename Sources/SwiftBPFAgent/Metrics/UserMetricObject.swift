import BPF
import Foundation
import Synchronization
import SwiftBPFTools

/// One user object: loaded from its file, every program with a SEC() name attached, and for
/// each configured metric the map's key layout taken from the object's BTF (the key struct's
/// members in order, or the whole key when it is a plain integer).
final class UserMetricObject: Sendable {
    let config: UserMetricConfig
    private let object: BPFObject
    private let links: [Link]
    private let readers: [Reader]
    private let deltas = DeltaTracker()

    /// A field of a map key: its name and byte range.
    struct KeyField: Sendable {
        var name: String
        var offset: Int
        var size: Int
    }

    struct Reader: Sendable {
        let family: String
        let spec: UserMetricSpec
        let map: Map
        let fields: [KeyField]
        let decoders: [(field: KeyField, decoding: LabelDecoding)]
    }

    init(config: UserMetricConfig) throws {
        self.config = config
        guard let data = FileManager.default.contents(atPath: config.object) else {
            throw ConfigError("user_metrics \(config.name): cannot read object \(config.object)")
        }
        let spec = try ObjectSpec(bytes: Array(data), name: config.name)
        guard let btf = spec.btf else {
            throw ConfigError("user_metrics \(config.name): \(config.object) has no BTF (compile with -g)")
        }
        let object = try BPFObject(spec, options: LoadOptions())
        let ksyms = config.metrics.contains { $0.labels.contains { $0.decoders.contains(.ksym) } } ? try? KernelSymbols.load() : nil
        let cgroups = CgroupPaths()
        var readers: [Reader] = []
        for m in config.metrics {
            guard let map = object.maps[m.map], let mapSpec = spec.maps.first(where: { $0.name == m.map }) else {
                throw ConfigError("user_metrics \(config.name): no map \(m.map) in \(config.object) (maps: \(object.maps.keys.sorted().joined(separator: ", ")))")
            }
            let fields = try Self.keyFields(btf: btf, typeID: mapSpec.keyTypeID, keySize: Int(mapSpec.keySize))
            var decoders: [(KeyField, LabelDecoding)] = []
            for (i, label) in m.labels.enumerated() {
                let field: KeyField
                if let name = label.field {
                    guard let f = fields.first(where: { $0.name == name }) else {
                        throw ConfigError("user_metrics \(config.name).\(m.name): the key of \(m.map) has no field \(name) (fields: \(fields.map(\.name).joined(separator: ", ")))")
                    }
                    field = f
                } else {
                    guard i < fields.count else {
                        throw ConfigError("user_metrics \(config.name).\(m.name): label \(label.name) is number \(i + 1) but the key of \(m.map) has \(fields.count) field(s)")
                    }
                    field = fields[i]
                }
                decoders.append((field, try LabelDecoding(spec: label, ksyms: ksyms, cgroups: cgroups)))
            }
            readers.append(Reader(family: "swiftbpf_user_\(config.name)_\(m.name)", spec: m, map: map, fields: fields, decoders: decoders))
        }
        self.object = object
        self.readers = readers
        links = try object.attachAll()
    }

    /// The key's fields from BTF: a struct's members (typedefs and qualifiers resolved), or one
    /// field named "key" for a scalar key.
    static func keyFields(btf: BTF, typeID: UInt32, keySize: Int) throws -> [KeyField] {
        guard typeID != 0 else { return [KeyField(name: "key", offset: 0, size: keySize)] }
        let type = try btf.resolvedType(typeID)
        guard type.kind == .struct else { return [KeyField(name: "key", offset: 0, size: keySize)] }
        let members = type.members
        var out: [KeyField] = []
        for (i, m) in members.enumerated() {
            let offset = Int(m.bitOffset / 8)
            let end = i + 1 < members.count ? Int(members[i + 1].bitOffset / 8) : keySize
            let size = (try? btf.resolvedType(m.type)).flatMap { t -> Int? in
                if let s = t.size { return s }
                if let count = t.count, let element = t.element, let e = try? btf.resolvedType(element), let es = e.size { return count * es }
                return nil
            } ?? (end - offset)
            out.append(KeyField(name: m.name, offset: offset, size: min(size, end - offset)))
        }
        return out
    }

    /// Reads every map and updates the metrics: counters by the increase since the last read,
    /// gauges to the value. A per-CPU value is summed over CPUs.
    func read(into metrics: AgentMetrics) {
        for r in readers {
            guard let entries = try? r.map.allEntries() else { continue }
            for (key, value) in entries {
                var labels: [(String, String)] = []
                var skip = false
                for (field, decoding) in r.decoders {
                    let end = min(key.count, field.offset + field.size)
                    guard field.offset < end, let text = decoding.decode(key[field.offset..<end]) else { skip = true; break }
                    labels.append((decoding.spec.name, text))
                }
                if skip { continue }
                let v = Self.sum(value, perCPU: r.map.type.isPerCPU, stride: r.map.perCPUStride)
                switch r.spec.kind {
                case .counter:
                    let d = deltas.delta(r.family + "|" + key.map { String($0) }.joined(separator: ","), v)
                    metrics.increment(r.family + "_total", labels, by: Int64(clamping: d))
                case .gauge:
                    metrics.gauge(r.family, labels, Double(v))
                }
            }
        }
    }

    static func sum(_ value: [UInt8], perCPU: Bool, stride: Int) -> UInt64 {
        func u64(_ at: Int) -> UInt64 { LabelDecoding.unsigned(value[at..<min(value.count, at + 8)]) }
        guard perCPU, stride > 0 else { return u64(0) }
        var total: UInt64 = 0
        var at = 0
        while at < value.count { total &+= u64(at); at += stride }
        return total
    }

    /// Detaches the programs; the object unloads when the last reference goes.
    func stop() { for l in links { l.close() } }
}
