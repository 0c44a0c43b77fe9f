/// Fixed-width text columns, as BCC's tools print them (`%-16s`, `%7d`).
public enum Columns {
    /// `s` followed by spaces up to `width` characters; a longer `s` is kept whole.
    public static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    /// Spaces up to `width` characters, then `s` (right-aligned); a longer `s` is kept whole.
    public static func leftPad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// `v` in octal, zero-padded to `width` (BCC's `%08o`).
    public static func octal(_ v: UInt32, width: Int) -> String {
        let s = String(v, radix: 8)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
