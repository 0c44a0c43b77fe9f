import BPF

/// JSON of the tools and commands, written as text: members are already-encoded values.
public enum JSON {
    /// `s` as a quoted, escaped JSON string (the library's escaping, `BTFValue.quote`).
    public static func string(_ s: String) -> String { BTFValue.quote(s) }

    /// A JSON object from its members' names and already-encoded values, in order.
    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A JSON array of already-encoded values.
    public static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
}
