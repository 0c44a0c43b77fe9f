import ArgumentParser

/// Parses keys and values given on the command line the way bpftool does:
/// `key 0x01 0x00 0x00 0x00` (each word one byte: 0x-hex, or decimal), or `key hex 01 00 00 00`
/// / `key hex 01000000` (hex digits, spaces optional).
enum ByteArguments {
    /// Splits `words` into sections introduced by the given keywords (`key`, `value`) and the
    /// remaining leading words.
    static func sections(_ words: [String], keywords: Set<String>) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        var current: String?
        for w in words {
            if keywords.contains(w) {
                guard out[w] == nil else { throw ValidationError("'\(w)' given twice") }
                current = w
                out[w] = []
            } else if let c = current {
                out[c]!.append(w)
            } else {
                throw ValidationError("unexpected '\(w)': expected one of \(keywords.sorted().joined(separator: ", "))")
            }
        }
        return out
    }

    /// The bytes of one section.
    static func bytes(_ words: [String], what: String) throws -> [UInt8] {
        guard !words.isEmpty else { throw ValidationError("\(what) has no bytes") }
        if words[0] == "hex" {
            let digits = words.dropFirst().joined().filter { !$0.isWhitespace }
            guard !digits.isEmpty, digits.count % 2 == 0 else { throw ValidationError("\(what): 'hex' needs an even number of hex digits") }
            var out: [UInt8] = []
            var i = digits.startIndex
            while i < digits.endIndex {
                let j = digits.index(i, offsetBy: 2)
                guard let b = UInt8(digits[i..<j], radix: 16) else { throw ValidationError("\(what): '\(digits[i..<j])' is not a hex byte") }
                out.append(b)
                i = j
            }
            return out
        }
        return try words.map { w in
            let parsed: UInt8? = w.hasPrefix("0x") || w.hasPrefix("0X") ? UInt8(w.dropFirst(2), radix: 16) : UInt8(w)
            guard let b = parsed else { throw ValidationError("\(what): '\(w)' is not a byte (use 0x00-0xff or 0-255, or 'hex 0a0b…')") }
            return b
        }
    }
}
