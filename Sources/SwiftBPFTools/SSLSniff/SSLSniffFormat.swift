import ToolText
/// Output formats of `swiftbpf sslsniff`: a header line per call then the payload as text or a
/// hex dump (BCC sslsniff's layout), or one JSON object per call with the payload in base64.
public enum SSLSniffFormat {
    /// How the payload is printed in the text formats.
    public enum Payload: Sendable {
        case text, hex, none
    }

    public static func header() -> String {
        pad("FUNC", 12) + pad("TIME(s)", 14) + pad("COMM", 16) + leftPad("PID", 8) + leftPad("TID", 8) + leftPad("LEN", 9)
            + leftPad("LAT(us)", 10) + "  CONNECTION"
    }

    /// The function family of an event, as BCC names it (READ/RECV, WRITE/SEND, HANDSHAKE).
    public static func function(_ e: PayloadEvent) -> String {
        switch e.direction {
        case .read: "READ/RECV"
        case .write: "WRITE/SEND"
        case .handshake: "HANDSHAKE"
        }
    }

    static func connection(_ e: PayloadEvent) -> String {
        var s = "\(e.function) 0x\(String(e.connection, radix: 16))"
        if let fd = e.fd { s += " fd=\(fd)" }
        if let l = e.local, let r = e.remote { s += " \(l)->\(r)" }
        return s
    }

    /// One call: the header line, then (unless `.none`) its payload between markers.
    public static func text(_ e: PayloadEvent, seconds: Double, payload: Payload, redact: Bool = false) -> String {
        var s = pad(function(e), 12) + pad(formatSeconds(seconds, digits: 6), 14) + pad(e.task.comm, 16) + leftPad("\(e.task.tgid)", 8)
            + leftPad("\(e.task.pid)", 8) + leftPad(e.direction == .handshake ? "ret=\(e.returnValue)" : "\(e.length)", 9)
            + leftPad(String(e.latencyNanoseconds / 1000), 10) + "  " + connection(e)
        guard payload != .none, e.direction != .handshake else { return s }
        let data = redact ? HTTPRedaction.payload(e.data) : e.data
        let note = e.truncated ? " (\(e.data.count) of \(e.length) bytes captured)" : ""
        s += "\n----- DATA\(note) -----\n"
        s += payload == .hex ? hexDump(data) : printable(data)
        if e.truncated { s += "\n... [\(e.length - e.data.count) bytes not captured: --max-bytes]" }
        if e.readFailed { s += "\n[the payload could not be read from the process]" }
        s += "\n----- END DATA -----"
        return s
    }

    /// One call as JSON: time, function, direction, library, task fields, len, captured,
    /// truncated, latency_ns, conn, fd, local, remote, ret, data (base64).
    public static func json(_ e: PayloadEvent, seconds: Double, redact: Bool = false) -> String {
        var fields: [(String, String)] = [
            ("time", formatSeconds(seconds, digits: 6)), ("function", JSON.string(e.function)),
            ("direction", JSON.string("\(e.direction)")), ("library", JSON.string(e.source.name)),
        ]
        fields += e.task.jsonFields
        fields += [("len", "\(e.length)"), ("captured", "\(e.data.count)"), ("truncated", "\(e.truncated)"),
                   ("latency_ns", "\(e.latencyNanoseconds)"), ("conn", JSON.string("0x" + String(e.connection, radix: 16))),
                   ("ret", "\(e.returnValue)")]
        if let fd = e.fd { fields.append(("fd", "\(fd)")) }
        if let l = e.local { fields.append(("local", JSON.string(l.description))) }
        if let r = e.remote { fields.append(("remote", JSON.string(r.description))) }
        if e.direction != .handshake {
            fields.append(("data", JSON.string(base64(redact ? HTTPRedaction.payload(e.data) : e.data))))
        }
        return JSON.object(fields)
    }

    /// The bytes as text: printable ASCII, tabs and newlines as they are, other bytes as `.`.
    public static func printable(_ b: [UInt8]) -> String {
        String(decoding: b.map(printable), as: UTF8.self)
    }

    /// One byte as `printable` shows it.
    static func printable(_ b: UInt8) -> UInt8 {
        (b >= 0x20 && b < 0x7F) || b == 0x0A || b == 0x0D || b == 0x09 ? b : UInt8(ascii: ".")
    }

    /// `hexdump -C` style: offset, 16 bytes in hex, the printable characters.
    public static func hexDump(_ b: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var lines: [String] = []
        var offset = 0
        while offset < b.count {
            let row = b[offset..<min(b.count, offset + 16)]
            var line = [UInt8]()
            let off = String(offset, radix: 16)
            line += Array((String(repeating: "0", count: max(0, 8 - off.count)) + off + "  ").utf8)
            for i in 0..<16 {
                if i < row.count {
                    let v = row[row.startIndex + i]
                    line += [digits[Int(v >> 4)], digits[Int(v & 15)], 0x20]
                } else {
                    line += [0x20, 0x20, 0x20]
                }
                if i == 7 { line.append(0x20) }
            }
            line += Array(" |".utf8) + row.map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: ".") } + [UInt8(ascii: "|")]
            lines.append(String(decoding: line, as: UTF8.self))
            offset += 16
        }
        return lines.joined(separator: "\n")
    }

    /// Standard base64 with padding (RFC 4648 §4).
    public static func base64(_ b: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = [UInt8]()
        out.reserveCapacity((b.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < b.count {
            let v = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
            out += [table[Int(v >> 18)], table[Int(v >> 12 & 63)], table[Int(v >> 6 & 63)], table[Int(v & 63)]]
            i += 3
        }
        if b.count - i == 1 {
            let v = UInt32(b[i]) << 16
            out += [table[Int(v >> 18)], table[Int(v >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if b.count - i == 2 {
            let v = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8
            out += [table[Int(v >> 18)], table[Int(v >> 12 & 63)], table[Int(v >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
    static func leftPad(_ s: String, _ w: Int) -> String { s.count >= w ? " " + s : String(repeating: " ", count: w - s.count) + s }
    static func formatSeconds(_ t: Double, digits: Int) -> String {
        let scale = Double([1, 10, 100, 1000, 10000, 100000, 1000000][min(6, digits)])
        let units = Int((t * scale).rounded())
        let frac = String(units % Int(scale))
        return "\(units / Int(scale))." + String(repeating: "0", count: digits - frac.count) + frac
    }
}
