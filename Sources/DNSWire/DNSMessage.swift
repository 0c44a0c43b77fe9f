/// A DNS message (RFC 1035 §4) as far as `swiftbpf flows` and `guard learn` need it: the header,
/// the first question, and the answer records (A, AAAA and CNAME decoded; others kept by type).
///
/// Parsing is pure and defensive: every read is bounds-checked, compression pointers must point
/// backwards and may be followed at most `maxPointerJumps` times, names are at most 255 bytes,
/// and a message cut short (as the kernel sides deliver at most 512 bytes) yields the records
/// that arrived whole.
public struct DNSMessage: Sendable, Equatable {
    /// The query id.
    public var id: UInt16
    /// QR: a response rather than a query.
    public var isResponse: Bool
    /// RCODE (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ...).
    public var responseCode: UInt8
    /// TC: the server cut the answer (the client retries over TCP).
    public var isTruncated: Bool
    /// The first question's name, lower-cased, without the final dot ("" for the root).
    public var name: String
    /// The first question's type (1 A, 28 AAAA, 5 CNAME, ...).
    public var type: UInt16
    /// The answer section, as far as it arrived whole.
    public var answers: [DNSRecord]
    /// True when the message ended inside a record: `answers` holds what came before.
    public var isIncomplete: Bool

    /// The name of a response code.
    public var responseCodeName: String { Self.responseCodeName(responseCode) }

    /// RFC 1035/6895 names of the common response codes.
    public static func responseCodeName(_ code: UInt8) -> String {
        switch code {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        default: "RCODE\(code)"
        }
    }

    /// The mnemonic of a record type.
    public static func typeName(_ type: UInt16) -> String {
        switch type {
        case 1: "A"
        case 2: "NS"
        case 5: "CNAME"
        case 6: "SOA"
        case 12: "PTR"
        case 15: "MX"
        case 16: "TXT"
        case 28: "AAAA"
        case 33: "SRV"
        case 65: "HTTPS"
        default: "TYPE\(type)"
        }
    }

    /// Compression pointers followed for one name before the name counts as a loop.
    public static let maxPointerJumps = 32
}

/// One resource record of an answer section.
public struct DNSRecord: Sendable, Equatable {
    /// The owner name, lower-cased, without the final dot.
    public var name: String
    public var type: UInt16
    /// Time to live, seconds.
    public var ttl: UInt32
    public var data: DNSRecordData
}

/// The data of a record, decoded for the types that label connections.
public enum DNSRecordData: Sendable, Equatable {
    /// An A record: four bytes. AAAA: sixteen.
    case address([UInt8])
    case cname(String)
    /// Any other type, with its length.
    case other(length: Int)
}

/// Why a message could not be parsed at all.
public struct DNSParseError: Error, Equatable, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension DNSMessage {
    /// Parses `bytes`, a DNS message over UDP. Throws only when not even the header and the
    /// first question are there; a message cut later parses with `isIncomplete`.
    public init(parsing bytes: [UInt8]) throws(DNSParseError) {
        let reader = DNSReader(bytes)
        guard bytes.count >= 12 else { throw DNSParseError("a DNS header is 12 bytes, got \(bytes.count)") }
        id = reader.u16(at: 0)!
        let flags = reader.u16(at: 2)!
        isResponse = flags & 0x8000 != 0
        isTruncated = flags & 0x0200 != 0
        responseCode = UInt8(flags & 0x000f)
        let questions = Int(reader.u16(at: 4)!)
        let answerCount = Int(reader.u16(at: 6)!)
        guard questions >= 1 else { throw DNSParseError("the message has no question") }
        var offset = 12
        let (qname, afterName) = try reader.name(at: offset)
        guard let qtype = reader.u16(at: afterName), reader.u16(at: afterName + 2) != nil else {
            throw DNSParseError("the question ends after its name")
        }
        name = qname
        type = qtype
        offset = afterName + 4
        answers = []
        isIncomplete = false
        // Further questions (rare): skip them.
        for _ in 1..<questions {
            guard let (_, end) = try? reader.name(at: offset), end + 4 <= bytes.count else {
                isIncomplete = true
                return
            }
            offset = end + 4
        }
        for _ in 0..<answerCount {
            guard let (record, next) = try? reader.record(at: offset) else {
                isIncomplete = true
                return
            }
            answers.append(record)
            offset = next
        }
    }
}

/// Bounds-checked reads over a message.
struct DNSReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func u16(at i: Int) -> UInt16? {
        guard i >= 0, i + 2 <= bytes.count else { return nil }
        return UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
    }

    func u32(at i: Int) -> UInt32? {
        guard let hi = u16(at: i), let lo = u16(at: i + 2) else { return nil }
        return UInt32(hi) << 16 | UInt32(lo)
    }

    /// The name at `start` and the offset just after it where it sits (after its first pointer,
    /// if compressed). Pointers must go strictly backwards, which alone rules out loops; the
    /// jump limit bounds the work of long backward chains.
    func name(at start: Int) throws(DNSParseError) -> (String, Int) {
        var labels: [String] = []
        var length = 0
        var i = start
        var end: Int?
        var jumps = 0
        while true {
            guard i < bytes.count else { throw DNSParseError("a name runs past the end of the message") }
            let b = bytes[i]
            switch b & 0xc0 {
            case 0x00:
                if b == 0 {
                    return (labels.joined(separator: "."), end ?? i + 1)
                }
                let n = Int(b)
                guard i + 1 + n <= bytes.count else { throw DNSParseError("a label runs past the end of the message") }
                length += n + 1
                guard length <= 255 else { throw DNSParseError("a name is longer than 255 bytes") }
                labels.append(Self.label(bytes[(i + 1)..<(i + 1 + n)]))
                i += 1 + n
            case 0xc0:
                guard i + 1 < bytes.count else { throw DNSParseError("a compression pointer is cut") }
                let target = Int(b & 0x3f) << 8 | Int(bytes[i + 1])
                guard target < i else { throw DNSParseError("a compression pointer does not point backwards (loop)") }
                jumps += 1
                guard jumps <= DNSMessage.maxPointerJumps else { throw DNSParseError("too many compression pointers in one name") }
                if end == nil { end = i + 2 }
                i = target
            default:
                throw DNSParseError("label type 0x\(String(b & 0xc0, radix: 16)) is not supported")
            }
        }
    }

    /// A label as text: lower-cased ASCII; other bytes as \DDD (RFC 4343 style).
    static func label(_ bytes: ArraySlice<UInt8>) -> String {
        var s = ""
        for b in bytes {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): s.unicodeScalars.append(Unicode.Scalar(b + 32))
            case UInt8(ascii: "."), UInt8(ascii: "\\"): s += "\\" + String(Unicode.Scalar(b))
            case 0x21...0x7e: s.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let d = String(b)
                s += "\\" + String(repeating: "0", count: 3 - d.count) + d
            }
        }
        return s
    }

    func record(at start: Int) throws(DNSParseError) -> (DNSRecord, Int) {
        let (owner, i) = try name(at: start)
        guard let type = u16(at: i), let ttl = u32(at: i + 4), let rdlength = u16(at: i + 8) else {
            throw DNSParseError("a record is cut in its header")
        }
        let dataStart = i + 10
        let dataEnd = dataStart + Int(rdlength)
        guard dataEnd <= bytes.count else { throw DNSParseError("a record's data is cut") }
        let data: DNSRecordData
        switch type {
        case 1 where rdlength == 4, 28 where rdlength == 16:
            data = .address(Array(bytes[dataStart..<dataEnd]))
        case 5:
            let (target, _) = try name(at: dataStart)
            data = .cname(target)
        default:
            data = .other(length: Int(rdlength))
        }
        return (DNSRecord(name: owner, type: type, ttl: ttl, data: data), dataEnd)
    }
}
