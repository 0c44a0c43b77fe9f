import BPF

/// Writes the typed bindings of one compiled BPF object: a Swift type (named by
/// `BindingsGenerator.typeName(forObject:)`: `execsnoop` → `ExecsnoopObject`) with
///
/// - one typed program property per program, of its hook family's type (`TracepointProgram`,
///   `XDPProgram`, ...; see `ProgramHook`); programs of `?`-prefixed sections are optional;
/// - one typed map property per map (`HashMap<Key, Value>`, `ArrayMap<Value>`,
///   `RingBufferMap<Record>`, ...), key and value types generated from the map's BTF;
/// - one `GlobalVariable` per non-static `.data`/`.bss` global, and a load-time `Config` with
///   one property per non-static `const volatile` (`.rodata`) global, defaulting to the
///   object's initial value;
/// - `load(config:options:)`, which loads the embedded object and checks every typed map once,
///   `init(_:)` for an object loaded by other means, and `attachAll()`;
/// - the C types those use, nested in the type (see `CTypeEmitter`).
///
/// The generator never fails on a single item: a map, global or type it cannot express is left
/// out with a comment saying why, and the rest is generated.
public struct BindingsGenerator {
    /// Where the generated type finds the object's bytes.
    public enum Embedding: Sendable {
        /// An `EmbeddedObject` the BPFCompiler plugin generated: `EmbeddedObjects.<identifier>`.
        case plugin(identifier: String)
        /// The bytes written into the generated file (`swiftbpf gen`).
        case inline(bytes: [UInt8])
    }

    /// What to generate.
    public struct Options: Sendable {
        /// The Swift type's name.
        public var typeName: String
        /// Declare everything `public` (for a library target); internal otherwise.
        public var isPublic = false
        /// Where the object's bytes come from.
        public var embedding: Embedding
        /// The file the object came from, for doc comments (`execsnoop.bpf.c`, `x.bpf.o`).
        public var sourceName: String
        /// The record struct of each ring buffer, by map name (C struct names).
        public var ringBufferRecords: [String: String] = [:]
        /// C structs to declare even if no map or global uses them (`// swiftbpf:record NAME`).
        /// When an object has one ring buffer and one such struct, it is the ring's record.
        public var recordStructs: [String] = []
        /// Start the output with `import BPF`.
        public var includeImport = true

        /// Options for a type named `typeName` whose object comes from `embedding`.
        public init(typeName: String, embedding: Embedding, sourceName: String) {
            self.typeName = typeName
            self.embedding = embedding
            self.sourceName = sourceName
        }
    }

    /// The naming rule: the object's base name in UpperCamelCase plus `Object`
    /// (`execsnoop` → `ExecsnoopObject`, `tcp_life` → `TcpLifeObject`).
    public static func typeName(forObject base: String) -> String {
        SwiftNames.upperCamel(base) + "Object"
    }

    let spec: ObjectSpec
    let options: Options

    /// A generator for the parsed object `spec`.
    public init(spec: ObjectSpec, options: Options) {
        self.spec = spec
        self.options = options
    }

    /// The variables a record compile adds (see BPFGen); never bound.
    static let recordVariablePrefix = "__swiftbpf_record_"

    /// The Swift source of the bindings.
    public func generate() throws -> String {
        guard let btf = spec.btf else { throw GenError("the object has no .BTF section (compile with clang -g)") }
        let a = options.isPublic ? "public " : ""
        let typeName = options.typeName
        var types = CTypeEmitter(btf: btf, access: a, reservedTypeNames: [typeName])
        var taken: Set<String> = ["object", "embedded", "load", "attachAll", "init", "config", "spec"]
        var initBody = "", notes = "", configProps = "", configApply = ""

        // Record structs first, so their names are the plain ones.
        for name in options.recordStructs {
            do { _ = try types.namedStruct(name) } catch { notes += "    // Record struct \(name) not generated: \(error)\n" }
        }

        // Programs.
        var programs = ""
        for p in spec.mainPrograms {
            let hook = ProgramHook(p)
            let name = SwiftNames.unique(SwiftNames.lowerCamel(p.name), in: &taken, suffix: "Program")
            programs += "    /// `\(p.name)`, in `SEC(\"\(p.sectionName)\")`.\n"
            if p.autoload {
                programs += "    \(a)let \(name): \(hook.rawValue)\n"
                initBody += "        self.\(name.trimmingBackticks) = try \(hook.rawValue)(object, name: \(literal(p.name)))\n"
            } else {
                programs += "    /// Loaded only when `LoadOptions.programs` names it (its section starts with '?').\n"
                programs += "    \(a)let \(name): \(hook.rawValue)?\n"
                initBody += "        self.\(name.trimmingBackticks) = object.programs[\(literal(p.name))] == nil ? nil : try \(hook.rawValue)(object, name: \(literal(p.name)))\n"
            }
        }

        // Maps.
        var maps = "", maxEntriesProps = "", maxEntriesApply = ""
        var maxEntriesTaken: Set<String> = ["init"]
        let ringBuffers = spec.maps.filter { $0.type == .ringBuf && $0.internalKind == nil }
        for m in spec.maps where m.internalKind == nil && !m.name.contains(".") {
            do {
                let type = try mapType(m, types: &types, soleRing: ringBuffers.count == 1, ringNotes: &notes)
                let name = SwiftNames.unique(SwiftNames.lowerCamel(m.name), in: &taken, suffix: "Map")
                maps += "    /// `\(m.name)`: \(m.type), \(m.maxEntries) entries.\n    \(a)let \(name): \(type)\n"
                let entriesName = SwiftNames.unique(SwiftNames.lowerCamel(m.name), in: &maxEntriesTaken)
                maxEntriesProps += "            /// `max_entries` of `\(m.name)` (declared: \(m.maxEntries)).\n"
                maxEntriesProps += "            \(a)var \(entriesName): UInt32?\n"
                maxEntriesApply += "            if let n = maxEntries.\(entriesName.trimmingBackticks) { options.maxEntries[\(literal(m.name))] = n }\n"
                initBody += "        self.\(name.trimmingBackticks) = try \(type)(object.map(\(literal(m.name))))\n"
            } catch {
                notes += "    // Map \(m.name) not generated: \(error)\n"
            }
        }

        // Globals: .data/.bss as mapped variables, .rodata in Config.
        var globals = ""
        var hasGlobals = false
        var configTaken: Set<String> = ["apply", "init", "maxEntries"]
        for v in spec.variables where v.linkage != .static && !v.name.hasPrefix(Self.recordVariablePrefix) {
            guard let kind = spec.map(named: v.mapName)?.internalKind else { continue }
            do {
                let type = try types.topLevelType(of: v.typeID, hint: v.name)
                guard type.size == Int(v.size) else { throw GenError("its Swift type is \(type.size) bytes, the variable \(v.size)") }
                switch kind {
                case .data, .bss:
                    let name = SwiftNames.unique(SwiftNames.lowerCamel(v.name), in: &taken, suffix: "Global")
                    globals += "    /// The global `\(v.name)` (\(v.sectionName)), in the map memory the programs use.\n"
                    globals += "    \(a)let \(name): GlobalVariable<\(type.name)>\n"
                    initBody += "        self.\(name.trimmingBackticks) = try GlobalVariable(globals, name: \(literal(v.name)))\n"
                    hasGlobals = true
                case .rodata:
                    let name = SwiftNames.unique(SwiftNames.lowerCamel(v.name), in: &configTaken)
                    let initial = initialValue(v, type: type)
                    configProps += "        /// `const volatile` `\(v.name)` (\(v.sectionName)), frozen when the object loads.\n"
                    configProps += "        \(a)var \(name): \(type.name) = \(initial)\n"
                    if type.isCharArray {
                        let text = SwiftNames.unique(name.trimmingBackticks + "String", in: &configTaken)
                        configProps += "        /// `\(v.name)` as text (cut to \(type.size) bytes, zero-filled).\n"
                        configProps += "        \(a)var \(text): String {\n            get { CLayout.string(\(name)) }\n"
                        configProps += "            set { CLayout.setString(&\(name), newValue) }\n        }\n"
                    }
                    configApply += "            options.set(\(literal(v.name)), to: \(name))\n"
                case .kconfig:
                    continue
                }
            } catch {
                notes += "    // Global \(v.name) not generated: \(error)\n"
            }
        }

        var s = "// Typed bindings of \(options.sourceName), generated from its BTF by SwiftBPF. Do not edit.\n"
        if options.includeImport { s += "import BPF\n" }
        s += "\n/// Typed bindings of `\(options.sourceName)`: its programs, maps and globals as typed properties.\n"
        s += "/// Load it with `\(typeName).load(config:options:)`; every typed map is checked once then.\n"
        s += "\(a)struct \(typeName): Sendable {\n"
        switch options.embedding {
        case let .plugin(identifier):
            s += "    /// The compiled object, embedded in the binary.\n"
            s += "    \(a)static var embedded: EmbeddedObject { EmbeddedObjects.\(identifier) }\n"
        case let .inline(bytes):
            s += "    /// The compiled object, embedded in this file.\n"
            s += "    \(a)static let embedded = EmbeddedObject(name: \(literal(spec.name)), hex: \"\(Self.embeddedLiteral(bytes))\")\n"
        }
        s += "    /// The loaded object: the untyped API (maps and programs by name, pinning, introspection).\n"
        s += "    \(a)let object: BPFObject\n"
        s += programs + maps + globals + notes
        s += """

            /// Loads the embedded object with `config` applied to its `const volatile` globals,
            /// and binds every program, map and global (each typed map checked once).
            \(a)static func load(config: Config = Config(), options: LoadOptions = LoadOptions()) throws(BPFError) -> \(typeName) {
                var options = options
                config.apply(to: &options)
                return try \(typeName)(BPFObject(ObjectSpec(bytes: embedded.bytes, name: embedded.name), options: options))
            }

            /// Binds the programs, maps and globals of `object`, an instance of this object loaded by
            /// other means. Throws if one is missing or a map's shape differs from its type.
            \(a)init(_ object: BPFObject) throws(BPFError) {
                self.object = object

        """
        if hasGlobals { s += "        let globals = try GlobalMemory(object)\n" }
        s += initBody
        s += """
            }

            /// Attaches every program whose `SEC()` name says where (tracepoints, raw tracepoints,
            /// BTF tracing, LSM, and probes with a target), as libbpf's auto-attach does. The links
            /// detach when released.
            \(a)func attachAll() throws(BPFError) -> [Link] {
                try object.attachAll()
            }

            /// The object's `const volatile` globals, applied before load (the verifier then treats
            /// them as constants).
            \(a)struct Config: Sendable {

        """
        s += configProps
        s += "        /// New `max_entries` of the maps, applied before they are created (nil: as declared).\n"
        s += "        \(a)var maxEntries = MaxEntries()\n"
        s += "        /// The object's initial values and the maps' declared sizes.\n        \(a)init() {}\n"
        s += "        /// Writes every value into `options.globals` and the sizes set into `options.maxEntries`.\n"
        s += "        \(a)func apply(to options: inout LoadOptions) {\n" + configApply + maxEntriesApply + "        }\n\n"
        s += "        /// A new `max_entries` per map (e.g. a bigger ring buffer for a busy machine).\n"
        s += "        \(a)struct MaxEntries: Sendable {\n" + maxEntriesProps
        s += "            /// Every map as declared.\n            \(a)init() {}\n        }\n    }\n"
        for d in types.declarations { s += "\n" + d }
        s += "}\n"
        return s
    }

    /// The typed map type of `m`, declaring its key and value types.
    private func mapType(_ m: MapSpec, types: inout CTypeEmitter, soleRing: Bool, ringNotes: inout String) throws -> String {
        func side(_ id: UInt32, size: UInt32, hint: String) throws -> String {
            guard id != 0 else { return CTypeEmitter.raw(size: Int(size)).name }
            let t = try types.topLevelType(of: id, hint: hint)
            guard t.size == Int(size) else { throw GenError("its \(hint.lowercased()) type is \(t.size) bytes, the map's \(size)") }
            return t.name
        }
        let hint = SwiftNames.upperCamel(m.name)
        switch m.type {
        case .hash, .lruHash, .perCPUHash, .lruPerCPUHash, .lpmTrie:
            let k = try side(m.keyTypeID, size: m.keySize, hint: hint + "Key")
            let v = try side(m.valueTypeID, size: m.valueSize, hint: hint + "Value")
            let kind = [MapType.hash: "HashMap", .lruHash: "LRUHashMap", .perCPUHash: "PerCPUHashMap",
                        .lruPerCPUHash: "PerCPUHashMap", .lpmTrie: "LPMTrieMap"][m.type]!
            return "\(kind)<\(k), \(v)>"
        case .array, .perCPUArray:
            guard m.keySize == 4 else { return "UntypedMap" }
            let v = try side(m.valueTypeID, size: m.valueSize, hint: hint + "Value")
            return m.type == .array ? "ArrayMap<\(v)>" : "PerCPUArrayMap<\(v)>"
        case .ringBuf:
            let record = options.ringBufferRecords[m.name]
                ?? (soleRing && options.recordStructs.count == 1 ? options.recordStructs[0] : nil)
            guard let record else { return "UntypedMap" }
            // A record that only lives on the BPF stack has no BTF unless something else uses it
            // (BPFGen compiles the source a second time with a global of each record struct).
            guard let type = try? types.namedStruct(record) else {
                ringNotes += "    // Ring buffer \(m.name) is untyped: struct \(record) is not in the object's BTF "
                    + "(declare a global of it, e.g. `struct \(record) *unused_\(record);`).\n"
                return "UntypedMap"
            }
            return "RingBufferMap<\(type.name)>"
        case .perfEventArray: return "PerfEventArrayMap"
        case .progArray: return "ProgArray"
        case .stackTrace: return "StackTraceMap"
        default: return "UntypedMap"
        }
    }

    /// The initial value of a `.rodata` global from the object's image.
    private func initialValue(_ v: VariableSpec, type: SwiftType) -> String {
        let image = spec.map(named: v.mapName)?.contents ?? []
        let start = Int(v.offset), end = start + Int(v.size)
        guard end <= image.count else { return "CLayout.zero()" }
        let bytes = image[start..<end]
        if bytes.allSatisfy({ $0 == 0 }) { return "CLayout.zero()" }
        return "CLayout.value(\(type.name).self, bytes: [\(bytes.map { String($0) }.joined(separator: ", "))])"
    }

    private func literal(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default: out.append(c)
            }
        }
        return out + "\""
    }

    /// The text inside the Swift string literal that embeds an object (`EmbeddedObject(hex:)`):
    /// `\0`, then two lowercase hex digits a byte.
    ///
    /// A literal with no NUL inside is a C string to LLVM and goes to a mergeable `.rodata.str*`
    /// section; the linker merges all of those into one and spreads them by hash, so an object's
    /// hex ended up between the string literals a tool reads at startup, and page read-around
    /// made about 600 KiB of it resident in every tool. With a NUL first the literal is plain
    /// read-only data and stays one block.
    public static func embeddedLiteral(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = Array("\\0".utf8)
        out.reserveCapacity(bytes.count * 2 + 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

extension BindingsGenerator {
    /// The ring buffer records a BPF C source names with `// swiftbpf:ringbuf MAP STRUCT` lines.
    public static func ringBufferRecords(in source: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in source.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 3, words[0] == "//" || words[0].hasPrefix("//") else { continue }
            let body = words[0] == "//" ? Array(words.dropFirst()) : [words[0].dropFirst(2)] + words.dropFirst()
            guard body.count == 3, body[0] == "swiftbpf:ringbuf" else { continue }
            out[String(body[1])] = String(body[2])
        }
        return out
    }
}
