/// The line format of /proc/kallsyms ("ADDR T NAME[\tmodule]"), scanned as bytes: pure, so that
/// it can be fuzzed (Fuzz/Sources/FuzzCLIArguments links this file).
enum KallsymsText {
    /// "ADDR T NAME[\tmodule]": the address and where the name starts.
    static func parseAddress(_ b: [UInt8], _ start: Int, _ end: Int) -> (UInt64, Int)? {
        var v: UInt64 = 0
        var i = start
        while i < end, b[i] != 32 {
            let c = b[i]
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 97...102: d = c - 87
            case 65...70: d = c - 55
            default: return nil
            }
            v = v << 4 | UInt64(d)
            i += 1
        }
        // Skip " T ".
        let nameStart = i + 3
        guard v != 0, nameStart < end else { return nil }
        return (v, nameStart)
    }

    /// The address of the symbol `name` (a whole-name match).
    static func address(of name: [UInt8], in bytes: [UInt8]) -> UInt64? {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 10 { end += 1 }
            if end - start > name.count, let (address, nameStart) = parseAddress(bytes, start, end),
               end - nameStart >= name.count, bytes[nameStart..<nameStart + name.count].elementsEqual(name),
               nameStart + name.count == end || bytes[nameStart + name.count] == 9 {
                return address
            }
            start = end + 1
        }
        return nil
    }

    /// The names of the symbols at `wanted` addresses (the first line of each address).
    static func names(at wanted: Set<UInt64>, in bytes: [UInt8]) -> [UInt64: String] {
        var found: [UInt64: String] = [:]
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 10 { end += 1 }
            if let (address, nameStart) = parseAddress(bytes, start, end), wanted.contains(address), found[address] == nil {
                var nameEnd = nameStart
                while nameEnd < end, bytes[nameEnd] != 9, bytes[nameEnd] != 32 { nameEnd += 1 }
                found[address] = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
            }
            start = end + 1
        }
        return found
    }
}
