/// A YAML node of the subset `YAMLSubset` reads: scalars, mappings and sequences, each with the
/// place in the text where it starts. Keys of a mapping keep their order.
public indirect enum Node: Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence([Node])

    /// A 1-based line and column.
    public struct Mark: Sendable, Equatable {
        public var line: Int
        public var column: Int
        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
    }

    /// A scalar's text as written (quotes removed, escapes applied) and its place.
    public struct Scalar: Sendable {
        public var string: String
        /// True when the scalar was quoted: a quoted `null` or empty string is text, not null.
        public var quoted: Bool
        public var mark: Mark
    }

    /// The pairs of a mapping in their order, and its place.
    public struct Mapping: Sendable, Sequence {
        public var pairs: [(key: Node, value: Node)]
        public var mark: Mark
        public func makeIterator() -> IndexingIterator<[(key: Node, value: Node)]> { pairs.makeIterator() }
    }

    /// Where the node starts.
    public var mark: Mark? {
        switch self {
        case .scalar(let s): s.mark
        case .mapping(let m): m.mark
        case .sequence(let items): items.first?.mark
        }
    }

    /// The text of a scalar, nil for a collection.
    public var string: String? { scalar?.string }

    public var scalar: Scalar? { if case .scalar(let s) = self { s } else { nil } }
    public var mapping: Mapping? { if case .mapping(let m) = self { m } else { nil } }
    public var sequence: [Node]? { if case .sequence(let items) = self { items } else { nil } }

    /// Non-nil for an unquoted empty value, `~` or `null`: YAML's null.
    public var null: Void? {
        guard let s = scalar, !s.quoted else { return nil }
        return ["", "~", "null", "Null", "NULL"].contains(s.string) ? () : nil
    }
}

/// Why a text is not in the subset, and where.
public struct YAMLSubsetError: Error, Sendable, CustomStringConvertible {
    public var problem: String
    public var mark: Node.Mark
    public var description: String { "line \(mark.line), column \(mark.column): \(problem)" }
}
