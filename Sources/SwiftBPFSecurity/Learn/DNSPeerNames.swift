import DNSWire

/// The names a workload's own DNS answers gave addresses while it was learned: address → the
/// name it asked for (the question's name, also when the answer reached the address through
/// CNAMEs). Pure, and bounded: at most `capacity` addresses (answers for further addresses are
/// counted in `dropped`), the first name an address got is kept, and bytes that do not parse
/// are counted in `malformed` and record nothing.
public struct DNSPeerNames: Sendable {
    /// Addresses kept at most.
    public let capacity: Int
    /// 16-byte addresses (IPv4 as ::ffff:a.b.c.d, as `GuardRecord.addressBytes` writes them) → name.
    private var names: [[UInt8]: String] = [:]
    /// Responses taken that parsed.
    public private(set) var answers = 0
    /// Address records not kept because `capacity` addresses were named already.
    public private(set) var dropped = 0
    /// Messages that did not parse (not even a header and a question).
    public private(set) var malformed = 0

    public init(capacity: Int = 4096) { self.capacity = capacity }

    /// Addresses named so far.
    public var count: Int { names.count }

    /// The name of `address` (IPv4 or IPv6 text), if an answer gave it one.
    public func name(for address: String) -> String? {
        guard let key = GuardRecord.addressBytes(address) else { return nil }
        return names[key]
    }

    /// Takes one DNS message as the workload's socket received it. Only a NOERROR response
    /// counts, and of its answers only the A and AAAA records of the question's name or of a
    /// name its CNAMEs lead to (in answer order); a query, a record for an unrelated name or a
    /// message that does not parse records nothing.
    public mutating func take(_ bytes: [UInt8]) {
        guard let message = try? DNSMessage(parsing: bytes) else {
            malformed += 1
            return
        }
        guard message.isResponse, message.responseCode == 0, !message.name.isEmpty else { return }
        answers += 1
        // The names that stand for the question: itself and the CNAME chain from it. Bounded by
        // the answers that arrived (each adds at most one name).
        var aliases: Set<String> = [message.name]
        for record in message.answers {
            guard aliases.contains(record.name) else { continue }
            switch record.data {
            case let .cname(target):
                aliases.insert(target)
            case let .address(address):
                note(address, name: message.name)
            case .other:
                break
            }
        }
    }

    mutating func note(_ address: [UInt8], name: String) {
        let key: [UInt8]
        switch address.count {
        case 4: key = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] + address
        case 16: key = address
        default: return
        }
        if names[key] != nil { return }
        guard names.count < capacity else {
            dropped += 1
            return
        }
        names[key] = name
    }
}
