/// The protobuf wire format, enough to write a message: varints, length-delimited fields
/// (strings, nested messages, packed repeated integers). Field numbers and wire types are
/// the encoding's public rules (wire type 0 varint, 2 length-delimited).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func key(_ field: Int, wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    /// A varint field; zero is the default and is left out, as proto3 writers do.
    mutating func uint(_ field: Int, _ v: UInt64) {
        guard v != 0 else { return }
        key(field, wireType: 0)
        varint(v)
    }

    mutating func int(_ field: Int, _ v: Int64) { uint(field, UInt64(bitPattern: v)) }

    mutating func bytesField(_ field: Int, _ b: [UInt8]) {
        key(field, wireType: 2)
        varint(UInt64(b.count))
        bytes += b
    }

    /// A string field, written even when empty (the string table's first entry must be "").
    mutating func string(_ field: Int, _ s: String) { bytesField(field, Array(s.utf8)) }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytesField(field, inner.bytes)
    }

    /// A packed repeated integer field (written only when not empty).
    mutating func packed(_ field: Int, _ values: [UInt64]) {
        guard !values.isEmpty else { return }
        var inner = ProtobufWriter()
        for v in values { inner.varint(v) }
        bytesField(field, inner.bytes)
    }
}
