import Foundation

/// C debug signatures for the programs: for each entry point, new metadata nodes describing
/// `int name(void *)` (its IR return and parameter types as C integers and `void *`), and its
/// `DISubprogram` pointed at them and named by its C name, so BTF has a `FUNC` the kernel accepts.
struct EntryDebugSignatures {
    let index: IRModuleIndex
    private var nextID: Int
    /// Subprogram node id → (C name, new type node id).
    private var subprograms: [Int: (name: String, type: Int, arguments: Int)] = [:]
    private(set) var newNodes: [String] = []
    private var basicTypes: [String: Int] = [:]

    init(index: IRModuleIndex) {
        self.index = index
        nextID = (index.metadata.keys.max() ?? 0) + 1
    }

    mutating func add(_ f: IRModuleIndex.Function) {
        let header = index.lines[f.headerLine]
        guard let r = header.range(of: "!dbg !"), let sp = Int(header[r.upperBound...].prefix { $0.isNumber }),
              let at = header.firstIndex(of: "@"), let open = header[at...].firstIndex(of: "(") else { return }
        let returnType = header[..<at].split(separator: " ").last.map(String.init) ?? "void"
        let close = header[open...].firstIndex(of: ")") ?? header.endIndex
        let params = header[header.index(after: open)..<close].split(separator: ",").compactMap {
            $0.split(separator: " ").first.map(String.init)
        }
        var types = [returnType == "void" ? "null" : node(for: returnType)]
        types += params.map { node(for: $0) }
        let list = append("!{\(types.joined(separator: ", "))}")
        let type = append("!DISubroutineType(types: !\(list))")
        // Named parameters: the kernel refuses a BTF FUNC whose arguments have no names
        // ("Invalid arg#1"), and the thunk Swift emits has no variables.
        let file = index.metadata[sp].flatMap { IRModuleIndex.field("file", in: $0) }.map { ", file: \($0)" } ?? ""
        var variables: [String] = []
        for (i, _) in params.enumerated() {
            let name = i == 0 ? "ctx" : "arg\(i)"
            variables.append("!\(append("!DILocalVariable(name: \"\(name)\", arg: \(i + 1), scope: !\(sp)\(file), type: \(types[i + 1]))"))")
        }
        let arguments = append("!{\(variables.joined(separator: ", "))}")
        subprograms[sp] = (f.name, type, arguments)
    }

    /// The subprogram line with its new type and C name, or nil for any other line.
    func replacement(for line: Substring) -> String? {
        guard let n = Int(line.dropFirst().prefix { $0.isNumber }), let entry = subprograms[n] else { return nil }
        var s = String(line)
        if let t = s.range(of: #"type: ![0-9]+"#, options: .regularExpression) {
            s.replaceSubrange(t, with: "type: !\(entry.type)")
        }
        if let name = s.range(of: #"\(name: "[^"]*""#, options: .regularExpression) {
            s.replaceSubrange(name, with: "(name: \"\(entry.name)\"")
        }
        if let nodes = s.range(of: #"retainedNodes: ![0-9]+"#, options: .regularExpression) {
            s.replaceSubrange(nodes, with: "retainedNodes: !\(entry.arguments)")
        } else if let close = s.lastIndex(of: ")") {
            s.insert(contentsOf: ", retainedNodes: !\(entry.arguments)", at: close)
        }
        return s
    }

    private mutating func append(_ node: String) -> Int {
        let id = nextID
        nextID += 1
        newNodes.append("!\(id) = \(node)")
        return id
    }

    /// `!N` of the C type for an IR type: `iN` as a signed integer of that width, `ptr` as `void *`.
    private mutating func node(for irType: String) -> String {
        if let id = basicTypes[irType] { return "!\(id)" }
        let text: String
        switch irType {
        case "ptr": text = "!DIDerivedType(tag: DW_TAG_pointer_type, baseType: null, size: 64)"
        case "i8": text = "!DIBasicType(name: \"char\", size: 8, encoding: DW_ATE_signed_char)"
        case "i16": text = "!DIBasicType(name: \"short\", size: 16, encoding: DW_ATE_signed)"
        case "i64": text = "!DIBasicType(name: \"long\", size: 64, encoding: DW_ATE_signed)"
        default: text = "!DIBasicType(name: \"int\", size: 32, encoding: DW_ATE_signed)"
        }
        let id = append(text)
        basicTypes[irType] = id
        return "!\(id)"
    }
}
