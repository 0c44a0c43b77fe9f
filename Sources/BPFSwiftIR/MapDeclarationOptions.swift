import Foundation

extension BPFProgramDeclarations {
    /// The inner map template of an `ArrayOfMaps<Inner<K, V>>` declaration: what C writes as
    /// `__array(values, struct NAME_inner)`, a named struct of the same `type`/`max_entries`/
    /// `key`/`value` shape as an outer definition, which libbpf reads to create a template map.
    public struct InnerMap: Equatable, Sendable {
        public var kind: String
        public var typeArguments: [String]
        public var size: Int

        /// The named C struct of the template, `struct <outer>_inner`.
        func cDefinition(outer: String, cTypes: [String: String]) -> String {
            let shape = BPFProgramDeclarations.kinds[kind]!
            var out = "struct \(outer)_inner {\n    int (*type)[\(shape.type)];\n    int (*max_entries)[\(size)];\n"
            var args = typeArguments.makeIterator()
            if shape.key, let k = args.next() { out += "    \(cTypes[k] ?? "char") *key;\n" }
            else if shape.value { out += "    unsigned int *key;\n" }
            if shape.value, let v = args.next() { out += "    \(cTypes[v] ?? "char") *value;\n" }
            if kind == "LPMTrie" { out += "    int (*map_flags)[1];\n" }  // BPF_F_NO_PREALLOC, required
            return out + "};\n"
        }
    }

    /// The labelled arguments after a map's size: `preallocated: false`, `pinned: true` and, for
    /// an `ArrayOfMaps`, `innerMaxEntries: N` (required there, refused elsewhere).
    struct MapOptions {
        var noPrealloc = false
        var pinned = false
        var inner: InnerMap?

        /// Kinds an `ArrayOfMaps` may hold (maps whose lookups a program makes through the
        /// inner map's address).
        static let innerKinds: Set<String> = ["HashMap", "ArrayMap", "LRUHash", "LPMTrie"]

        init(_ text: String, kind: String, argument: String?) throws {
            var innerSize: Int?
            for part in text.split(separator: ",") {
                let pair = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                switch (pair[0], pair[1]) {
                case ("preallocated", "false"): noPrealloc = true
                case ("pinned", "true"): pinned = true
                case ("pinned", "false"): pinned = false
                case ("innerMaxEntries", let n) where kind == "ArrayOfMaps":
                    guard let size = BPFProgramDeclarations.evaluate(n), size > 0, size <= Int(UInt32.max) else {
                        throw SwiftStructLayouts.LayoutError(message: "innerMaxEntries must be a positive integer literal or a product of literals")
                    }
                    innerSize = size
                default:
                    throw SwiftStructLayouts.LayoutError(message: "\(kind) has no option '\(pair[0]): \(pair[1])' (options: preallocated: false, pinned: true\(kind == "ArrayOfMaps" ? ", innerMaxEntries: N" : ""))")
                }
            }
            guard kind == "ArrayOfMaps" else { return }
            guard let innerSize else {
                throw SwiftStructLayouts.LayoutError(message: "an ArrayOfMaps needs innerMaxEntries: the size of its inner maps")
            }
            // `LPMTrie<Key, UInt32>` → ("LPMTrie", ["Key", "UInt32"]).
            let text = (argument ?? "").trimmingCharacters(in: .whitespaces)
            guard let open = text.firstIndex(of: "<"), text.hasSuffix(">") else {
                throw SwiftStructLayouts.LayoutError(message: "an ArrayOfMaps holds a map type with its type arguments, e.g. ArrayOfMaps<LPMTrie<Key, UInt32>>, not \(text)")
            }
            let innerKind = String(text[..<open])
            let innerArgs = text[text.index(after: open)..<text.index(before: text.endIndex)]
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard Self.innerKinds.contains(innerKind), let shape = BPFProgramDeclarations.kinds[innerKind],
                  innerArgs.count == (shape.key ? 1 : 0) + (shape.value ? 1 : 0) else {
                throw SwiftStructLayouts.LayoutError(message: "an ArrayOfMaps holds HashMap<K, V>, LRUHash<K, V>, LPMTrie<K, V> or ArrayMap<V>, not \(text)")
            }
            inner = InnerMap(kind: innerKind, typeArguments: innerArgs, size: innerSize)
        }
    }
}
