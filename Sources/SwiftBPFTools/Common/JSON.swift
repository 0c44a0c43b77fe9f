import BPF

/// JSON for the tools' line-oriented output.
public enum JSON {
    /// `s` as a quoted, escaped JSON string (the library's escaping, `BTFValue.quote`).
    public static func string(_ s: String) -> String { BTFValue.quote(s) }
}
