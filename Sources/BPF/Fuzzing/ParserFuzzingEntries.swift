/// Entry points for the libFuzzer targets in Fuzz/ into parsers that are not public API (the
/// CO-RE access-string parser and the netlink decoders). They are `@_spi(Fuzzing)`: invisible to
/// users unless imported with `@_spi(Fuzzing) import BPF`, and they do nothing but parse.
@_spi(Fuzzing) public enum ParserFuzzingEntries {
    /// Parses `accessString` against local type `typeID` of `btf` and resolves it against the
    /// same BTF as target (libbpf's `bpf_core_parse_spec` then `bpf_core_calc_relo_insn`).
    /// Returns the error text, or nil when it resolved.
    public static func resolveCORE(btf: BTF, typeID: UInt32, accessString: String, kind: CORERelocationKind) -> String? {
        do {
            _ = try CORERelocator(local: btf, target: btf).resolve(typeID: typeID, accessString: accessString, kind: kind)
            return nil
        } catch {
            return error.message
        }
    }

    /// Decodes a CO-RE cache file (`CORECacheFile.decode`), as the loader reads one from its
    /// cache directory; a file that decodes must encode back to exactly the same bytes (a trap
    /// otherwise). Returns the number of functions it holds (0 if it did not decode).
    public static func decodeCORECache(_ bytes: [UInt8]) -> Int {
        guard let file = CORECacheFile.decode(bytes) else { return 0 }
        precondition(file.encoded() == bytes, "a decoded CO-RE cache file encodes to other bytes")
        return file.functions.count + file.functions.reduce(0) { $0 + $1.results.count }
    }

    /// Decodes a netlink datagram: its messages, each payload as a TC message and as an
    /// acknowledgement and as a TC filter description, and the attributes after the fixed headers (nested ones too).
    /// Returns how many messages and attributes were decoded.
    public static func decodeNetlink(_ bytes: [UInt8]) -> Int {
        guard let messages = try? NetlinkMessage.parse(bytes) else { return 0 }
        var count = messages.count
        for message in messages {
            if let ack = try? NetlinkAcknowledgement(payload: message.payload, flags: message.flags) {
                count += Int(ack.requestSequence & 1)
            }
            if let tc = try? TCMessage(payload: message.payload) {
                count += tc.attributes.count
                count += nestedAttributeCount(tc.attributes, depth: 0)
                if let filter = try? TCFilterDescription(tc) { count += Int(filter.priority & 1) }
            }
            if let attributes = try? NetlinkAttribute.parse(message.payload) {
                count += nestedAttributeCount(attributes, depth: 0)
            }
        }
        return count
    }

    private static func nestedAttributeCount(_ attributes: [NetlinkAttribute], depth: Int) -> Int {
        guard depth < 4 else { return 0 }
        var count = attributes.count
        for attribute in attributes where attribute.isNested {
            if let inner = try? NetlinkAttribute.parse(attribute.value) {
                count += nestedAttributeCount(inner, depth: depth + 1)
            }
        }
        return count
    }
}
