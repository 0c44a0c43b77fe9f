import Glibc

/// An IPv4 or IPv6 network prefix (`10.0.0.0/8`, `2001:db8::/32`); a bare address is a
/// host prefix (/32, /128). Bits past the prefix length are cleared, so `10.1.2.3/8` and
/// `10.0.0.0/8` are the same prefix.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    /// The address family.
    public enum Family: String, Sendable, Codable {
        case ipv4, ipv6
        /// Address length in bytes.
        public var byteCount: Int { self == .ipv4 ? 4 : 16 }
        /// The longest prefix.
        public var maxLength: Int { byteCount * 8 }
    }

    public let family: Family
    /// The address in network byte order, `family.byteCount` bytes, host bits zero.
    public let address: [UInt8]
    /// The number of leading bits that match.
    public let length: Int

    /// The prefix of `address` (network order) and `length`, with the host bits cleared.
    public init?(family: Family, address: [UInt8], length: Int) {
        guard address.count == family.byteCount, (0...family.maxLength).contains(length) else { return nil }
        self.family = family
        self.length = length
        var masked = address
        for i in 0..<masked.count {
            let keep = max(0, min(8, length - i * 8))
            masked[i] &= keep == 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff00 >> keep)
        }
        self.address = masked
    }

    /// Parses `ADDRESS` or `ADDRESS/LENGTH`, IPv4 or IPv6.
    /// - Throws: `IPPrefixError` saying what is wrong with the text.
    public init(parsing text: some StringProtocol) throws(IPPrefixError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let host = String(parts[0])
        guard !host.isEmpty else { throw IPPrefixError(text: String(text), reason: "no address") }
        let family: Family = host.contains(":") ? .ipv6 : .ipv4
        guard let bytes = Self.addressBytes(host, family: family) else {
            throw IPPrefixError(text: String(text), reason: "'\(host)' is not an \(family == .ipv4 ? "IPv4" : "IPv6") address")
        }
        var length = family.maxLength
        if parts.count == 2 {
            guard let l = Int(parts[1]), parts[1].allSatisfy(\.isASCII), (0...family.maxLength).contains(l) else {
                throw IPPrefixError(text: String(text), reason: "prefix length '\(parts[1])' is not a number from 0 to \(family.maxLength)")
            }
            length = l
        }
        self.init(family: family, address: bytes, length: length)!
    }

    /// Whether `address` (network order, this family's length) lies in this prefix.
    public func contains(_ other: IPPrefix) -> Bool {
        guard other.family == family, other.length >= length else { return false }
        return IPPrefix(family: family, address: other.address, length: length)!.address == address
    }

    /// `10.0.0.0/8`; a host prefix is written as a bare address.
    public var description: String {
        let text = Self.text(address, family: family)
        return length == family.maxLength ? text : "\(text)/\(length)"
    }

    /// inet_pton: the address bytes, or nil if `text` is not an address of `family`.
    static func addressBytes(_ text: String, family: Family) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: family.byteCount)
        let ok = bytes.withUnsafeMutableBytes { inet_pton(family == .ipv4 ? AF_INET : AF_INET6, text, $0.baseAddress) }
        return ok == 1 ? bytes : nil
    }

    /// inet_ntop of `bytes`.
    static func text(_ bytes: [UInt8], family: Family) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        _ = bytes.withUnsafeBytes { b in
            inet_ntop(family == .ipv4 ? AF_INET : AF_INET6, b.baseAddress, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A prefix text that does not parse.
public struct IPPrefixError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "bad address or prefix '\(text)': \(reason)" }
}
