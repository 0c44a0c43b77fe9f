/// Column helpers of the snoop formatters (opensnoop, exitsnoop, killsnoop).
enum SnoopText {
    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
    static func leftPad(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }

    /// Seconds with three decimals (BCC's TIME(s) column).
    static func seconds(_ t: Double) -> String { decimal(t, places: 3) }

    /// `t` with a fixed number of decimals, without Foundation.
    static func decimal(_ t: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let negative = t < 0
        let scaled = Int64((abs(t) * scale).rounded())
        let unit = Int64(scale)
        let frac = String(scaled % unit)
        let body = places == 0 ? "\(scaled)" : "\(scaled / unit)." + String(repeating: "0", count: places - frac.count) + frac
        return negative ? "-" + body : body
    }

    /// `v` in octal, zero-padded to `width` (BCC's `%08o`).
    static func octal(_ v: UInt32, width: Int) -> String {
        let s = String(v, radix: 8)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
