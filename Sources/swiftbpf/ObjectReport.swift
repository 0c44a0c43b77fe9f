import BPF
import SwiftBPFTools
import ToolText

/// What `swiftbpf object inspect` prints: the parsed object, as tables or as JSON.
struct ObjectReport {
    let spec: ObjectSpec
    let ext: BTFExt?

    init(_ spec: ObjectSpec) throws {
        self.spec = spec
        if let bytes = spec.btfExtBytes, let btf = spec.btf { ext = try BTFExt(bytes: bytes, btf: btf) } else { ext = nil }
    }

    /// CO-RE relocation counts: by program (own instructions), and by kind over the object.
    var coreByProgram: [(String, Int)] {
        spec.programs.map { p in
            let records = ext?.coreRelocations[p.elfSectionName] ?? []
            return (p.name, records.filter { p.sectionRange.contains(Int($0.insnOffset) / 8) }.count)
        }
    }

    var coreByKind: [(String, Int)] {
        var counts: [String: Int] = [:]
        for records in (ext?.coreRelocations ?? [:]).values { for r in records { counts["\(r.kind)", default: 0] += 1 } }
        return counts.sorted { $0.key < $1.key }
    }

    var text: String {
        var out: [String] = []
        out.append("object \(spec.name)  license \"\(spec.license)\"" + (spec.kernelVersion.map { "  version 0x\(String($0, radix: 16))" } ?? ""))
        out.append("")
        out.append("PROGRAMS")
        out.append(row(["NAME", "SECTION", "TYPE", "ATTACH TYPE", "INSNS", "CO-RE", "NOTES"]))
        let core = Dictionary(coreByProgram, uniquingKeysWith: { a, _ in a })
        for p in spec.programs {
            var notes: [String] = []
            if p.isSubprogram { notes.append(p.isGlobalFunction ? "global subprogram" : "static subprogram") }
            if !p.autoload { notes.append("not autoloaded ('?')") }
            if p.type == .unspec && !p.isSubprogram { notes.append("unknown section: will not load") }
            out.append(row([p.name, p.sectionName, p.isSubprogram ? "-" : "\(p.type)",
                            p.expectedAttachType == .none ? "-" : "\(p.expectedAttachType)",
                            "\(p.instructions.count)", "\(core[p.name] ?? 0)", notes.joined(separator: ", ")]))
        }
        out.append("")
        out.append("MAPS")
        out.append(row(["NAME", "TYPE", "KEY", "VALUE", "MAX", "FLAGS", "NOTES"]))
        for m in spec.maps {
            var notes: [String] = []
            if let k = m.internalKind { notes.append("\(k) of \(m.sectionName)") }
            if m.pinning == .byName { notes.append("pinned by name") }
            if let inner = m.inner { notes.append("inner \(inner.type) \(inner.keySize)/\(inner.valueSize)") }
            if !m.initialSlots.isEmpty { notes.append("slots " + m.initialSlots.map { "[\($0.index)]=\($0.target)" }.joined(separator: " ")) }
            out.append(row([m.name, "\(m.type)", "\(m.keySize)", "\(m.valueSize)", "\(m.maxEntries)",
                            "0x" + String(m.flags.rawValue, radix: 16), notes.joined(separator: ", ")]))
        }
        out.append("")
        out.append("GLOBALS")
        out.append(row(["NAME", "SECTION", "OFFSET", "SIZE", "LINKAGE"]))
        for v in spec.variables {
            out.append(row([v.name, v.sectionName, "\(v.offset)", "\(v.size)", v.isConst ? "\(v.linkage) const" : "\(v.linkage)"]))
        }
        out.append("")
        if let btf = spec.btf {
            out.append("BTF  \(btf.count - 1) types, \(btf.stringSectionLength) bytes of strings")
            if let ext {
                let fi = ext.funcInfo.values.reduce(0) { $0 + $1.count }
                let li = ext.lineInfo.values.reduce(0) { $0 + $1.count }
                let cr = ext.coreRelocations.values.reduce(0) { $0 + $1.count }
                out.append("BTF.ext  \(fi) func_info, \(li) line_info, \(cr) CO-RE relocations")
                for (kind, n) in coreByKind { out.append("  \(kind): \(n)") }
            }
        } else {
            out.append("BTF  none")
        }
        return out.joined(separator: "\n")
    }

    var json: String {
        let core = Dictionary(coreByProgram, uniquingKeysWith: { a, _ in a })
        let programs = spec.programs.map { p in
            JSON.object([("name", JSON.string(p.name)), ("section", JSON.string(p.sectionName)), ("type", JSON.string("\(p.type)")),
                 ("expected_attach_type", JSON.string("\(p.expectedAttachType)")), ("instructions", "\(p.instructions.count)"),
                 ("subprogram", "\(p.isSubprogram)"), ("autoload", "\(p.autoload)"), ("core_relocations", "\(core[p.name] ?? 0)")])
        }
        let maps = spec.maps.map { m in
            JSON.object([("name", JSON.string(m.name)), ("type", JSON.string("\(m.type)")), ("key_size", "\(m.keySize)"),
                 ("value_size", "\(m.valueSize)"), ("max_entries", "\(m.maxEntries)"), ("flags", "\(m.flags.rawValue)"),
                 ("pinning", "\(m.pinning.rawValue)"), ("internal", m.internalKind.map { JSON.string("\($0)") } ?? "null")])
        }
        let globals = spec.variables.map { v in
            JSON.object([("name", JSON.string(v.name)), ("section", JSON.string(v.sectionName)), ("offset", "\(v.offset)"),
                 ("size", "\(v.size)"), ("const", "\(v.isConst)")])
        }
        let kinds = coreByKind.map { JSON.object([("kind", JSON.string($0.0)), ("count", "\($0.1)")]) }
        return JSON.object([("name", JSON.string(spec.name)), ("license", JSON.string(spec.license)),
                    ("programs", "[" + programs.joined(separator: ",") + "]"),
                    ("maps", "[" + maps.joined(separator: ",") + "]"),
                    ("globals", "[" + globals.joined(separator: ",") + "]"),
                    ("btf_types", spec.btf.map { "\($0.count - 1)" } ?? "0"),
                    ("core_relocations", "[" + kinds.joined(separator: ",") + "]")])
    }

    private func row(_ cells: [String]) -> String {
        let widths = [20, 30, 12, 14, 6, 6, 0]
        var s = ""
        for (i, c) in cells.enumerated() {
            let w = i < widths.count ? widths[i] : 0
            s += c.count >= w ? c + " " : c + String(repeating: " ", count: w - c.count + 1)
        }
        return String(s.reversed().drop(while: { $0 == " " }).reversed())
    }
}
