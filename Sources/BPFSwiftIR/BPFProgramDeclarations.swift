import Foundation

/// The declarations of a Swift BPF program that become C: maps, load-time constants, the
/// license, and CO-RE reads of kernel structures (`KernelRead`, see `KernelFieldRead`).
///
/// A map is a top-level line (starting in column 1) of the form
///
///     let counts = ArrayMap<UInt64>(maxEntries: 256)
///     let flows = HashMap<FlowKey, UInt64>(maxEntries: 1024)
///     let events = RingBuffer<ExecEvent>(bytes: 256 * 1024)
///     let pending = HashMap<UInt32, Event>(maxEntries: 4096, preallocated: false)
///     let start = LRUHash<UInt32, UInt64>(maxEntries: 10240)
///     let cgroups = CgroupArray(maxEntries: 1)
///     let rules = ArrayMap<Rule>(maxEntries: 1024, pinned: true)
///     let lists = ArrayOfMaps<LPMTrie<Key4, UInt32>>(maxEntries: 1, innerMaxEntries: 1024 * 1024)
///
/// a load-time constant (C's `const volatile`, in `.rodata`) `let port = LoadTimeConstant<UInt16>(0)`
/// or, for a byte string, `let name = LoadTimeString(bytes: 16)` (C's `const volatile char name[16]`, zeroed),
/// and the license `let license = License("GPL")`. libbpf reads a map's definition from BTF of
/// a particular shape (a struct whose `type` and `max_entries` members are pointers to arrays of
/// that many elements, and whose `key`/`value` point to the real types), which Swift's debug
/// info cannot express. So each declaration becomes a C definition in a stub compiled beside the
/// program, and the Swift line is replaced, on the same line so positions stay, by an external
/// symbol and a computed property wrapping its address.
public struct BPFProgramDeclarations {
    public struct Map: Equatable, Sendable {
        public var name: String
        public var kind: String
        public var typeArguments: [String]
        public var size: Int
        public var line: Int
        /// `BPF_F_NO_PREALLOC` (`preallocated: false`; always for `LPMTrie`, which requires it).
        public var noPrealloc = false
        /// `LIBBPF_PIN_BY_NAME` (`pinned: true`): the loader pins the map by its name, or reuses
        /// the map already pinned there.
        public var pinned = false
        /// The inner map template of an `ArrayOfMaps` (its `__array(values, ...)`).
        public var inner: InnerMap? = nil
    }

    /// A `const volatile` global in `.rodata`: fixed by the loader before the program is
    /// verified (`LoadOptions.set(name, to:)`), folded by the verifier as a constant.
    public struct LoadTimeConstant: Equatable, Sendable {
        public var name: String
        public var type: String
        public var value: Int64
        public var line: Int
        /// Bytes of a `LoadTimeString` (C's `char name[N]`); nil for a scalar.
        public var count: Int? = nil
    }

    public var maps: [Map] = []
    public var constants: [LoadTimeConstant] = []
    public var license: String?
    /// The CO-RE reads declared with `KernelRead`/`KernelBytesRead` (see `KernelFieldRead`).
    public var kernelReads: [KernelFieldRead] = []
    /// The C of `kernelReads`, compiled against vmlinux.h and linked as bitcode; nil without reads.
    public var coreStub: String?
    /// The program text with the declarations replaced (same number of lines).
    public var swiftSource: String
    /// The C stub: value and key structs, map definitions, license.
    public var cStub: String
    /// The record struct of each ring buffer, by map name (`RingBuffer<ExecEvent>`).
    public var ringBufferRecords: [String: String] = [:]
    /// The stub plus one global of each ring buffer record, so the record's C layout is in the
    /// BTF of an object compiled from it. clang describes only types that code or data uses,
    /// and a record that lives only in the ring has none; this object feeds the typed bindings
    /// generator only (as BPFGen's record compile of a `*.bpf.c`), never the embedded object.
    public var recordStub: String {
        var stub = cStub
        for (i, record) in Set(ringBufferRecords.values).sorted().enumerated() {
            stub += "struct \(record) __swiftbpf_record_\(i);\n"
        }
        return stub
    }

    /// `BPF_MAP_TYPE_*` of each Swift map kind, and whether it has a key and a value type.
    static let kinds: [String: (type: Int, key: Bool, value: Bool)] = [
        "HashMap": (1, true, true),        // BPF_MAP_TYPE_HASH
        "ArrayMap": (2, false, true),      // BPF_MAP_TYPE_ARRAY, key __u32
        "PerCPUHash": (5, true, true),     // BPF_MAP_TYPE_PERCPU_HASH
        "LRUHash": (9, true, true),        // BPF_MAP_TYPE_LRU_HASH
        "PerCPUArray": (6, false, true),   // BPF_MAP_TYPE_PERCPU_ARRAY, key __u32
        "LPMTrie": (11, true, true),       // BPF_MAP_TYPE_LPM_TRIE
        "CgroupArray": (8, false, false),  // BPF_MAP_TYPE_CGROUP_ARRAY, key and value __u32 (an fd)
        "RingBuffer": (27, false, false),  // BPF_MAP_TYPE_RINGBUF, max_entries = bytes; <Record> only in BTF
        "ArrayOfMaps": (12, false, false), // BPF_MAP_TYPE_ARRAY_OF_MAPS, key __u32, values: the inner template
    ]

    static let mapPattern = try! NSRegularExpression(pattern:
        #"^(?:public\s+)?let\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(HashMap|ArrayMap|PerCPUHash|LRUHash|PerCPUArray|LPMTrie|RingBuffer|CgroupArray|ArrayOfMaps)(?:<(.*)>)?\(\s*(maxEntries|bytes)\s*:\s*([0-9_ *]+)((?:,\s*[A-Za-z]+\s*:\s*[A-Za-z0-9_ *]+)*)\)\s*(//.*)?$"#)
    static let constantPattern = try! NSRegularExpression(pattern:
        #"^(?:public\s+)?let\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*LoadTimeConstant<\s*([A-Za-z0-9]+)\s*>\(\s*(-?(?:0x[0-9A-Fa-f_]+|[0-9_]+))\s*\)\s*(//.*)?$"#)
    static let stringPattern = try! NSRegularExpression(pattern:
        #"^(?:public\s+)?let\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*LoadTimeString\(\s*bytes\s*:\s*([0-9]+)\s*\)\s*(//.*)?$"#)
    static let licensePattern = try! NSRegularExpression(pattern:
        #"^(?:public\s+)?let\s+[A-Za-z_][A-Za-z0-9_]*\s*=\s*License\(\s*"([^"\\]*)"\s*\)\s*(//.*)?$"#)

    /// Parses `source` (named `file` in errors). Throws `BPFProgramRejected` for a declaration
    /// it cannot turn into C.
    public init(source: String, file: String) throws {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var out = lines
        var problems: [BPFSourceDiagnostic] = []
        let structs = SwiftStructLayouts(source: source)
        for (i, line) in lines.enumerated() {
            let range = NSRange(line.startIndex..., in: line)
            if let m = Self.mapPattern.firstMatch(in: line, range: range) {
                func group(_ n: Int) -> String? { Range(m.range(at: n), in: line).map { String(line[$0]) } }
                let name = group(1)!, kind = group(2)!
                // ArrayOfMaps<LPMTrie<K, V>> has one argument, itself generic.
                let args = kind == "ArrayOfMaps" ? [group(3) ?? ""].filter { !$0.isEmpty }
                    : (group(3) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                let shape = Self.kinds[kind]!
                let expected = kind == "RingBuffer" || kind == "ArrayOfMaps" ? 1 : (shape.key ? 1 : 0) + (shape.value ? 1 : 0)
                guard args.count == expected else {
                    problems.append(.init(file: file, line: i + 1, column: 1, message: "\(kind) takes \(expected) type argument\(expected == 1 ? "" : "s"), not \(args.count)"))
                    continue
                }
                guard let size = Self.evaluate(group(5)!), size > 0, size <= Int(UInt32.max) else {
                    problems.append(.init(file: file, line: i + 1, column: 1, message: "\(group(4)!) must be a positive integer literal or a product of literals"))
                    continue
                }
                let options: MapOptions
                do {
                    options = try MapOptions(group(6) ?? "", kind: kind, argument: args.first)
                } catch let e as SwiftStructLayouts.LayoutError {
                    problems.append(.init(file: file, line: i + 1, column: 1, message: e.message))
                    continue
                }
                let map = Map(name: name, kind: kind, typeArguments: kind == "ArrayOfMaps" ? [] : args, size: size, line: i + 1,
                              noPrealloc: kind == "LPMTrie" || options.noPrealloc, pinned: options.pinned, inner: options.inner)
                maps.append(map)
                if kind == "RingBuffer" {
                    guard structs.structs[args[0]] != nil else {
                        problems.append(.init(file: file, line: i + 1, column: 1, message: "a ring buffer's record must be a struct declared in this file, not \(args[0])"))
                        continue
                    }
                    ringBufferRecords[name] = args[0]
                }
                let swiftType = args.isEmpty ? kind : "\(kind)<\(args.joined(separator: ", "))>"
                out[i] = "@_extern(c, \"\(name)\") nonisolated(unsafe) var _swiftbpf_map_\(name): UInt8; "
                    + "var \(name): \(swiftType) { \(swiftType)(_definition: &_swiftbpf_map_\(name)) }"
            } else if let m = Self.constantPattern.firstMatch(in: line, range: range) {
                func group(_ n: Int) -> String? { Range(m.range(at: n), in: line).map { String(line[$0]) } }
                let name = group(1)!, type = group(2)!
                guard let scalar = SwiftStructLayouts.scalars[type] else {
                    problems.append(.init(file: file, line: i + 1, column: 1, message: "LoadTimeConstant holds an integer type or Bool, not \(type)"))
                    continue
                }
                guard let literal = group(3), let value = Self.integer(literal) else {
                    problems.append(.init(file: file, line: i + 1, column: 1, message: "\(group(3) ?? "nothing") is not an integer literal: give the default value"))
                    continue
                }
                constants.append(LoadTimeConstant(name: name, type: scalar.c, value: value, line: i + 1))
                // Loads of `name` are made volatile by the IR rewrite, as C's `const volatile`
                // reads are, so the default value is never folded into the program.
                out[i] = "@_extern(c, \"\(name)\") nonisolated(unsafe) var _swiftbpf_const_\(name): \(type); "
                    + "var \(name): \(type) { _swiftbpf_const_\(name) }"
            } else if let m = Self.stringPattern.firstMatch(in: line, range: range) {
                let name = String(line[Range(m.range(at: 1), in: line)!])
                guard let count = Int(line[Range(m.range(at: 2), in: line)!]), count > 0, count <= 4096 else {
                    problems.append(.init(file: file, line: i + 1, column: 1, message: "a LoadTimeString has 1 to 4096 bytes"))
                    continue
                }
                constants.append(LoadTimeConstant(name: name, type: "char", value: 0, line: i + 1, count: count))
                // Its bytes are read through the address of the C array; the rewrite makes
                // those loads volatile too.
                out[i] = "@_extern(c, \"\(name)\") nonisolated(unsafe) var _swiftbpf_const_\(name): CChar; "
                    + "var \(name): LoadTimeString { LoadTimeString(_base: &_swiftbpf_const_\(name), count: \(count)) }"
            } else if let parsed = Self.kernelRead(line, index: i) {
                switch parsed {
                case .success(let read):
                    kernelReads.append(read)
                    out[i] = Self.swiftDeclaration(read)
                case .failure(let problem):
                    problems.append(.init(file: file, line: i + 1, column: 1, message: problem.message))
                }
            } else if let m = Self.licensePattern.firstMatch(in: line, range: range) {
                license = Range(m.range(at: 1), in: line).map { String(line[$0]) }
                out[i] = ""
            }
        }
        if license == nil {
            problems.append(.init(file: file, line: 0, column: 0, message: "no license: declare one, e.g. `let license = License(\"GPL\")` (GPL-only helpers need a GPL-compatible license)"))
        }
        var stub = "/* Generated by BPFSwiftCompiler from \((file as NSString).lastPathComponent): map definitions and license. */\n"
        var emitted: Set<String> = []
        var cTypes: [String: String] = [:]
        for map in maps {
            for arg in map.typeArguments + (map.inner?.typeArguments ?? []) {
                do {
                    stub += try structs.cDefinitions(for: arg, emitted: &emitted)
                    cTypes[arg] = try structs.cType(arg)
                } catch let e as SwiftStructLayouts.LayoutError {
                    problems.append(.init(file: file, line: map.line, column: 1, message: e.message))
                } catch {}
            }
        }
        for map in maps {
            let shape = Self.kinds[map.kind]!
            if let inner = map.inner { stub += inner.cDefinition(outer: map.name, cTypes: cTypes) }
            stub += "struct {\n    int (*type)[\(shape.type)];\n    int (*max_entries)[\(map.size)];\n"
            var args = map.typeArguments.makeIterator()
            if shape.key, let k = args.next() { stub += "    \(cTypes[k] ?? "char") *key;\n" }
            else if shape.value || map.kind == "CgroupArray" { stub += "    unsigned int *key;\n" }
            if shape.value, let v = args.next() { stub += "    \(cTypes[v] ?? "char") *value;\n" }
            if map.kind == "CgroupArray" { stub += "    unsigned int *value;\n" }
            if map.inner != nil { stub += "    unsigned int *key;\n" }
            if map.noPrealloc { stub += "    int (*map_flags)[1];\n" }  // BPF_F_NO_PREALLOC
            if map.pinned { stub += "    int (*pinning)[1];\n" }    // LIBBPF_PIN_BY_NAME
            if map.inner != nil { stub += "    struct \(map.name)_inner *values[];\n" }
            stub += "} \(map.name) __attribute__((section(\".maps\")));\n"
        }
        for c in constants {
            if let count = c.count {
                stub += "volatile const char \(c.name)[\(count)] = {};\n"
            } else {
                stub += "volatile const \(c.type) \(c.name) = \(c.value);\n"
            }
        }
        if let license {
            stub += "char _license[] __attribute__((section(\"license\"))) = \"\(license)\";\n"
        }
        guard problems.isEmpty else { throw BPFProgramRejected(diagnostics: problems) }
        swiftSource = out.joined(separator: "\n")
        cStub = stub
        coreStub = Self.coreStub(kernelReads, file: file)
    }

    /// `-5`, `0x10`, `1_000`.
    static func integer(_ literal: String) -> Int64? {
        var text = literal.replacingOccurrences(of: "_", with: "")
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        let magnitude = text.hasPrefix("0x") ? Int64(text.dropFirst(2), radix: 16) : Int64(text)
        return magnitude.map { negative ? -$0 : $0 }
    }

    /// `256 * 1024` and `4_096`: integer literals and their products.
    static func evaluate(_ expression: String) -> Int? {
        var product = 1
        for factor in expression.split(separator: "*") {
            guard let n = Int(factor.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")) else { return nil }
            let (r, overflow) = product.multipliedReportingOverflow(by: n)
            guard !overflow else { return nil }
            product = r
        }
        return product
    }
}
