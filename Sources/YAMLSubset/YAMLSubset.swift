/// A reader for the subset of YAML that configuration files of the tools use: block mappings
/// and sequences by indentation, flow `[a, b]` and `{k: v}` collections, plain, single- and
/// double-quoted scalars, and comments. Anchors, aliases, tags, block scalars (`|`, `>`) and
/// several documents are refused with an error naming the line, never guessed at.
///
/// It exists so that the `swiftbpf` tools read rules and policies without Foundation: a YAML
/// library that needs Foundation costs every tool about 4.5 MB of resident memory at start.
/// Parsing is pure and bounded: nesting deeper than `maximumDepth` is refused.
public enum YAMLSubset {
    /// Deepest nesting of collections accepted.
    public static let maximumDepth = 64

    /// The document's root node, or nil for a text with no content.
    public static func compose(yaml text: String) throws(YAMLSubsetError) -> Node? {
        var reader = BlockReader(lines: try Line.split(text))
        return try reader.document()
    }
}

/// One line of content: its number, indentation and text with the comment removed.
struct Line {
    var number: Int
    var indent: Int
    var text: Substring

    static func split(_ text: String) throws(YAMLSubsetError) -> [Line] {
        var out: [Line] = []
        var number = 0
        var sawDocument = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var line = raw
            if line.last == "\r" { line = line.dropLast() }
            let indent = line.prefix { $0 == " " }.count
            if line.dropFirst(indent).first == "\t" {
                throw YAMLSubsetError(problem: "a tab in indentation (YAML indents with spaces)", mark: .init(line: number, column: indent + 1))
            }
            let content = try stripComment(line.dropFirst(indent), line: number, column: indent + 1)
            if content.isEmpty { continue }
            if content == "---" || content.hasPrefix("--- ") {
                if sawDocument || !out.isEmpty {
                    throw YAMLSubsetError(problem: "a second document ('---'): one document per file", mark: .init(line: number, column: 1))
                }
                sawDocument = true
                continue
            }
            if content == "..." { continue }
            out.append(Line(number: number, indent: indent, text: content))
        }
        return out
    }

    /// The text up to a `#` that starts a comment (at the start or after a space, outside quotes),
    /// without trailing spaces.
    static func stripComment(_ s: Substring, line: Int, column: Int) throws(YAMLSubsetError) -> Substring {
        var quote: Character?
        var previous: Character = " "
        var end = s.endIndex
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if let q = quote {
                if c == q {
                    if q == "'", s.index(after: i) < s.endIndex, s[s.index(after: i)] == "'" {
                        i = s.index(i, offsetBy: 2); previous = "'"; continue
                    }
                    quote = nil
                } else if q == "\"", c == "\\" {
                    i = s.index(after: i)
                    if i == s.endIndex { break }
                }
            } else if c == "#", previous == " " || previous == "\t" {
                end = i
                break
            } else if c == "'" || c == "\"", previous == " " || previous == "[" || previous == "{" || previous == "," || i == s.startIndex || previous == ":" {
                quote = c
            }
            previous = c
            i = s.index(after: i)
        }
        var out = s[s.startIndex..<end]
        while let last = out.last, last == " " || last == "\t" { out = out.dropLast() }
        return out
    }
}

/// Reads block structure line by line; values on a line go to `InlineReader`.
struct BlockReader {
    var lines: [Line]
    var index = 0

    mutating func document() throws(YAMLSubsetError) -> Node? {
        guard !lines.isEmpty else { return nil }
        let node = try block(indent: lines[0].indent, depth: 0)
        if index < lines.count {
            throw error("content after the document's end (check the indentation)", lines[index], column: lines[index].indent + 1)
        }
        return node
    }

    func error(_ problem: String, _ line: Line, column: Int) -> YAMLSubsetError {
        YAMLSubsetError(problem: problem, mark: .init(line: line.number, column: column))
    }

    /// The block at `lines[index]`, whose indentation is `indent`.
    mutating func block(indent: Int, depth: Int) throws(YAMLSubsetError) -> Node {
        let first = lines[index]
        if depth > YAMLSubset.maximumDepth {
            throw error("nesting deeper than \(YAMLSubset.maximumDepth) levels", first, column: first.indent + 1)
        }
        if Self.isSequenceItem(first.text) { return try sequence(indent: indent, depth: depth) }
        if try Self.keySplit(first) != nil { return try mapping(indent: indent, depth: depth) }
        // A lone value (a scalar or flow collection, possibly over several lines).
        index += 1
        return try inlineValue(text: first.text, line: first, column: first.indent + 1, depth: depth)
    }

    static func isSequenceItem(_ text: Substring) -> Bool { text == "-" || text.hasPrefix("- ") }

    /// `key: value` split at the first colon outside quotes and brackets that ends the line or
    /// is followed by a space; nil when the line is no mapping entry.
    static func keySplit(_ line: Line) throws(YAMLSubsetError) -> (key: Substring, value: Substring, valueColumn: Int)? {
        let s = line.text
        var quote: Character?
        var depth = 0
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"", i == s.startIndex {
                quote = c
            } else if c == "[" || c == "{" {
                depth += 1
            } else if c == "]" || c == "}" {
                depth -= 1
            } else if c == ":", depth == 0 {
                let next = s.index(after: i)
                if next == s.endIndex || s[next] == " " {
                    let key = s[s.startIndex..<i]
                    var value = s[next...]
                    while value.first == " " { value = value.dropFirst() }
                    let column = line.indent + 1 + s.distance(from: s.startIndex, to: value.startIndex)
                    return (key, value, column)
                }
            }
            i = s.index(after: i)
        }
        return nil
    }

    mutating func sequence(indent: Int, depth: Int) throws(YAMLSubsetError) -> Node {
        var items: [Node] = []
        while index < lines.count, lines[index].indent == indent, Self.isSequenceItem(lines[index].text) {
            let line = lines[index]
            var rest = line.text.dropFirst()
            var offset = 1
            while rest.first == " " { rest = rest.dropFirst(); offset += 1 }
            if rest.isEmpty {
                index += 1
                items.append(try nestedOrNull(parentIndent: indent, line: line, column: line.indent + offset + 1, depth: depth))
            } else {
                // The item's content continues as a block indented to where it starts: replace this
                // line by its rest and read a block there (`- name: a` then `  action: b`).
                lines[index] = Line(number: line.number, indent: indent + offset, text: rest)
                items.append(try block(indent: indent + offset, depth: depth + 1))
            }
        }
        if index < lines.count, lines[index].indent > indent {
            throw error("unexpected indentation in a list", lines[index], column: lines[index].indent + 1)
        }
        return .sequence(items)
    }

    mutating func mapping(indent: Int, depth: Int) throws(YAMLSubsetError) -> Node {
        var pairs: [(key: Node, value: Node)] = []
        var seen: [String: Int] = [:]
        let start = lines[index]
        while index < lines.count, lines[index].indent == indent {
            let line = lines[index]
            if Self.isSequenceItem(line.text) { break }
            guard let split = try Self.keySplit(line) else {
                throw error("expected 'key: value' in a mapping", line, column: line.indent + 1)
            }
            let keyNode = try inlineKey(split.key, line: line, column: line.indent + 1)
            let key = keyNode.string ?? ""
            if let first = seen[key] {
                throw error("key '\(key)' is given twice in one mapping (first at line \(first))", line, column: line.indent + 1)
            }
            seen[key] = line.number
            index += 1
            let value: Node
            if split.value.isEmpty {
                value = try nestedOrNull(parentIndent: indent, line: line, column: split.valueColumn, depth: depth, sequenceAtSameIndent: true)
            } else {
                value = try inlineValue(text: split.value, line: line, column: split.valueColumn, depth: depth + 1)
            }
            pairs.append((keyNode, value))
        }
        if index < lines.count, lines[index].indent > indent {
            throw error("unexpected indentation in a mapping", lines[index], column: lines[index].indent + 1)
        }
        return .mapping(Node.Mapping(pairs: pairs, mark: .init(line: start.number, column: start.indent + 1)))
    }

    /// The block below a line that ends in `:` or `-`, or a null scalar when there is none.
    mutating func nestedOrNull(parentIndent: Int, line: Line, column: Int, depth: Int, sequenceAtSameIndent: Bool = false) throws(YAMLSubsetError) -> Node {
        if index < lines.count {
            let next = lines[index]
            if next.indent > parentIndent || (sequenceAtSameIndent && next.indent == parentIndent && Self.isSequenceItem(next.text)) {
                return try block(indent: next.indent, depth: depth + 1)
            }
        }
        return .scalar(Node.Scalar(string: "", quoted: false, mark: .init(line: line.number, column: column)))
    }

    func inlineKey(_ text: Substring, line: Line, column: Int) throws(YAMLSubsetError) -> Node {
        var reader = InlineReader(text: text, line: line.number, column: column)
        let key = try reader.scalar(inFlow: false)
        return .scalar(key)
    }

    /// A value written on `line` (already consumed): a scalar, or a flow collection that may go
    /// on over the following lines.
    mutating func inlineValue(text: Substring, line: Line, column: Int, depth: Int) throws(YAMLSubsetError) -> Node {
        var joined = String(text)
        if text.first == "[" || text.first == "{" {
            while !InlineReader.balanced(joined), index < lines.count, lines[index].indent > line.indent {
                joined += " " + lines[index].text
                index += 1
            }
        }
        var reader = InlineReader(text: Substring(joined), line: line.number, column: column, depth: depth)
        let node = try reader.node()
        try reader.expectEnd()
        return node
    }
}

/// Reads one value written on a line: flow collections and scalars.
struct InlineReader {
    var text: Substring
    var position: Substring.Index
    let line: Int
    let column: Int
    var depth: Int

    init(text: Substring, line: Int, column: Int, depth: Int = 0) {
        self.text = text
        position = text.startIndex
        self.line = line
        self.column = column
        self.depth = depth
    }

    /// Whether the brackets outside quotes balance (a flow collection is complete).
    static func balanced(_ s: String) -> Bool {
        var depth = 0
        var quote: Character?
        for c in s {
            if let q = quote { if c == q { quote = nil }; continue }
            switch c {
            case "'", "\"": quote = c
            case "[", "{": depth += 1
            case "]", "}": depth -= 1
            default: break
            }
        }
        return depth <= 0 && quote == nil
    }

    var mark: Node.Mark { .init(line: line, column: column + text.distance(from: text.startIndex, to: position)) }

    func error(_ problem: String) -> YAMLSubsetError { YAMLSubsetError(problem: problem, mark: mark) }

    var current: Character? { position < text.endIndex ? text[position] : nil }

    mutating func skipSpaces() { while current == " " { position = text.index(after: position) } }

    mutating func expectEnd() throws(YAMLSubsetError) {
        skipSpaces()
        if current != nil { throw error("unexpected text after the value") }
    }

    mutating func node() throws(YAMLSubsetError) -> Node {
        skipSpaces()
        switch current {
        case "[": return try flowSequence()
        case "{": return try flowMapping()
        default: return .scalar(try scalar(inFlow: inFlowCollection))
        }
    }

    var inFlowCollection = false

    mutating func enter() throws(YAMLSubsetError) {
        depth += 1
        if depth > YAMLSubset.maximumDepth { throw error("nesting deeper than \(YAMLSubset.maximumDepth) levels") }
    }

    mutating func flowSequence() throws(YAMLSubsetError) -> Node {
        try enter()
        let outer = inFlowCollection
        inFlowCollection = true
        position = text.index(after: position)
        var items: [Node] = []
        skipSpaces()
        if current == "]" {
            position = text.index(after: position)
        } else {
            while true {
                items.append(try node())
                skipSpaces()
                guard let c = current else { throw error("a '[' list is not closed with ']' (end of input)") }
                position = text.index(after: position)
                if c == "]" { break }
                guard c == "," else { throw error("expected ',' or ']' in a list, found '\(c)'") }
                skipSpaces()
                if current == "]" { position = text.index(after: position); break }
            }
        }
        inFlowCollection = outer
        depth -= 1
        return .sequence(items)
    }

    mutating func flowMapping() throws(YAMLSubsetError) -> Node {
        try enter()
        let outer = inFlowCollection
        inFlowCollection = true
        let start = mark
        position = text.index(after: position)
        var pairs: [(key: Node, value: Node)] = []
        var seen = Set<String>()
        skipSpaces()
        if current == "}" {
            position = text.index(after: position)
        } else {
            while true {
                skipSpaces()
                let keyMark = mark
                let key = try scalar(inFlow: true)
                if !seen.insert(key.string).inserted {
                    throw YAMLSubsetError(problem: "key '\(key.string)' is given twice in one mapping", mark: keyMark)
                }
                skipSpaces()
                guard current == ":" else { throw error("expected ':' after the key '\(key.string)'") }
                position = text.index(after: position)
                let value = try node()
                pairs.append((.scalar(key), value))
                skipSpaces()
                guard let c = current else { throw error("a '{' mapping is not closed with '}' (end of input)") }
                position = text.index(after: position)
                if c == "}" { break }
                guard c == "," else { throw error("expected ',' or '}' in a mapping, found '\(c)'") }
                skipSpaces()
                if current == "}" { position = text.index(after: position); break }
            }
        }
        inFlowCollection = outer
        depth -= 1
        return .mapping(Node.Mapping(pairs: pairs, mark: start))
    }

    /// A quoted or plain scalar. In a flow collection a plain scalar ends at `,`, `]`, `}` (and
    /// at `: ` for a key).
    mutating func scalar(inFlow: Bool) throws(YAMLSubsetError) -> Node.Scalar {
        skipSpaces()
        let start = mark
        switch current {
        case "&", "*": throw error("anchors and aliases ('&', '*') are not supported")
        case "!": throw error("tags ('!') are not supported")
        case "|", ">": throw error("block scalars ('|', '>') are not supported: write the value on one line")
        case "%", "@", "`": throw error("a plain value cannot start with '\(current!)': quote it")
        case "'": return Node.Scalar(string: try singleQuoted(), quoted: true, mark: start)
        case "\"": return Node.Scalar(string: try doubleQuoted(), quoted: true, mark: start)
        default: break
        }
        var end = position
        var i = position
        while i < text.endIndex {
            let c = text[i]
            if inFlow, c == "," || c == "]" || c == "}" || c == "[" || c == "{" { break }
            if c == ":" {
                let next = text.index(after: i)
                let followedBySpace = next == text.endIndex || text[next] == " " || (inFlow && (text[next] == "," || text[next] == "}"))
                if followedBySpace {
                    if inFlow { break }
                    throw YAMLSubsetError(problem: "a ': ' inside a plain value (quote the value, or check the indentation)", mark: .init(line: line, column: column + text.distance(from: text.startIndex, to: i)))
                }
            }
            i = text.index(after: i)
            if c != " " { end = i }
        }
        let value = String(text[position..<end])
        position = i
        return Node.Scalar(string: value, quoted: false, mark: start)
    }

    mutating func singleQuoted() throws(YAMLSubsetError) -> String {
        position = text.index(after: position)
        var out = ""
        while let c = current {
            position = text.index(after: position)
            if c == "'" {
                if current == "'" { out.append("'"); position = text.index(after: position); continue }
                return out
            }
            out.append(c)
        }
        throw error("a quoted value is not closed with \"'\"")
    }

    mutating func doubleQuoted() throws(YAMLSubsetError) -> String {
        position = text.index(after: position)
        var out = ""
        while let c = current {
            position = text.index(after: position)
            if c == "\"" { return out }
            if c == "\\" {
                guard let e = current else { break }
                position = text.index(after: position)
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "\\": out.append("\\")
                case "\"": out.append("\"")
                case "/": out.append("/")
                case "0": out.append("\0")
                default: throw error("the escape '\\\(e)' is not supported")
                }
                continue
            }
            out.append(c)
        }
        throw error("a quoted value is not closed with '\"'")
    }
}
