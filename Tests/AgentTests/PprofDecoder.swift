import Foundation

/// A protobuf wire decoder for the pprof fields the tests check (independent of the
/// encoder's code), and a schema of those fields for `protoc --decode`.
struct PprofDecoder {
    struct Sample {
        var locations: [UInt64] = []
        var values: [Int64] = []
        var labels: [String: String] = [:]
        var numLabels: [String: Int64] = [:]
    }
    var strings: [String] = []
    var sampleTypes: [[String]] = []
    var samples: [Sample] = []
    var locations: [UInt64: UInt64] = [:]  // location id -> function id
    var functions: [UInt64: String] = [:]  // function id -> name
    var period: Int64 = 0
    var durationNanos: Int64 = 0

    func functionNames(of s: Sample) -> [String] { s.locations.map { functions[locations[$0] ?? 0] ?? "?" } }

    struct Field {
        var number: Int
        var varint: UInt64 = 0
        var bytes: ArraySlice<UInt8> = []
    }

    static func fields(_ b: ArraySlice<UInt8>) throws -> [Field] {
        var out: [Field] = []
        var i = b.startIndex
        func varint() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < b.endIndex, shift < 64 else { throw TestError("truncated varint") }
                let byte = b[i]
                i += 1
                v |= UInt64(byte & 0x7f) << shift
                if byte < 0x80 { return v }
                shift += 7
            }
        }
        while i < b.endIndex {
            let key = try varint()
            var f = Field(number: Int(key >> 3))
            switch key & 7 {
            case 0: f.varint = try varint()
            case 2:
                let n = Int(try varint())
                guard i + n <= b.endIndex else { throw TestError("truncated field \(f.number)") }
                f.bytes = b[i..<(i + n)]
                i += n
            default: throw TestError("unexpected wire type \(key & 7) in field \(f.number)")
            }
            out.append(f)
        }
        return out
    }

    static func packed(_ b: ArraySlice<UInt8>) throws -> [UInt64] {
        var out: [UInt64] = []
        var v: UInt64 = 0, shift: UInt64 = 0
        for byte in b {
            v |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { out.append(v); v = 0; shift = 0 } else { shift += 7 }
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) throws -> PprofDecoder {
        var p = PprofDecoder()
        let top = try fields(bytes[...])
        p.strings = top.filter { $0.number == 6 }.map { String(decoding: $0.bytes, as: UTF8.self) }
        func s(_ i: UInt64) -> String { Int(i) < p.strings.count ? p.strings[Int(i)] : "?" }
        for f in top {
            switch f.number {
            case 1:
                let vt = try fields(f.bytes)
                p.sampleTypes.append([s(vt.first { $0.number == 1 }?.varint ?? 0), s(vt.first { $0.number == 2 }?.varint ?? 0)])
            case 2:
                var sample = Sample()
                for g in try fields(f.bytes) {
                    if g.number == 1 { sample.locations += try packed(g.bytes) }
                    if g.number == 2 { sample.values += try packed(g.bytes).map { Int64(bitPattern: $0) } }
                    if g.number == 3 {
                        let l = try fields(g.bytes)
                        let key = s(l.first { $0.number == 1 }?.varint ?? 0)
                        if let str = l.first(where: { $0.number == 2 }) { sample.labels[key] = s(str.varint) }
                        if let num = l.first(where: { $0.number == 3 }) { sample.numLabels[key] = Int64(bitPattern: num.varint) }
                    }
                }
                p.samples.append(sample)
            case 4:
                let l = try fields(f.bytes)
                let id = l.first { $0.number == 1 }?.varint ?? 0
                let line = try l.first { $0.number == 4 }.map { try fields($0.bytes) } ?? []
                p.locations[id] = line.first { $0.number == 1 }?.varint ?? 0
            case 5:
                let l = try fields(f.bytes)
                p.functions[l.first { $0.number == 1 }?.varint ?? 0] = s(l.first { $0.number == 2 }?.varint ?? 0)
            case 10: p.durationNanos = Int64(bitPattern: f.varint)
            case 12: p.period = Int64(bitPattern: f.varint)
            default: break
            }
        }
        return p
    }

    /// The fields of pprof's Profile message the encoder writes (numbers from profile.proto).
    static let schema = """
        syntax = "proto3";
        package perftools.profiles;
        message ValueType { int64 type = 1; int64 unit = 2; }
        message Label { int64 key = 1; int64 str = 2; int64 num = 3; int64 num_unit = 4; }
        message Sample { repeated uint64 location_id = 1; repeated int64 value = 2; repeated Label label = 3; }
        message Line { uint64 function_id = 1; int64 line = 2; }
        message Location { uint64 id = 1; uint64 mapping_id = 2; uint64 address = 3; repeated Line line = 4; bool is_folded = 5; }
        message Function { uint64 id = 1; int64 name = 2; int64 system_name = 3; int64 filename = 4; int64 start_line = 5; }
        message Profile {
          repeated ValueType sample_type = 1; repeated Sample sample = 2; repeated Location location = 4;
          repeated Function function = 5; repeated string string_table = 6; int64 time_nanos = 9;
          int64 duration_nanos = 10; ValueType period_type = 11; int64 period = 12;
        }
        """
}
