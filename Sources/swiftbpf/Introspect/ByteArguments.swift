/// Parses keys and values given on the command line the way bpftool does:
/// `key 0x01 0x00 0x00 0x00` (each word one byte: 0x-hex, or decimal), or `key hex 01 00 00 00`
/// / `key hex 01000000` (hex digits, spaces optional).
enum ByteArguments {
    /// Splits `words` into sections introduced by the given keywords (`key`, `value`) and the
    /// remaining leading words. A word holding a run joined by `compactingByteRuns` is split
    /// back into its words.
    static func sections(_ words: [String], keywords: Set<String>) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        var current: String?
        var run: [String] = []
        for w in words {
            if keywords.contains(w) {
                guard out[w] == nil else { throw IntrospectError("'\(w)' given twice") }
                if let c = current { out[c] = run }
                current = w
                out[w] = []
                run = []
            } else if current != nil {
                if w.contains(" ") { run += w.split(separator: " ").map(String.init) } else { run.append(w) }
            } else {
                throw IntrospectError("unexpected '\(w)': expected one of \(keywords.sorted().joined(separator: ", "))")
            }
        }
        if let c = current { out[c] = run }
        return out
    }

    /// The `map` command line with each run of byte words (`0x01 0x02 …`, `01 02 …`) after
    /// `key`, `value` or `hex` joined into one word.
    ///
    /// ArgumentParser removes parsed words one at a time from an array, which costs time
    /// quadratic in the count: 16,000 byte words took 10 s, 100,000 did not finish. Joined runs
    /// keep its input to a few words; `sections` splits them back. Only words made of hex
    /// digits (with an optional 0x) are joined, so ids, keywords, paths and flags are untouched.
    static func compactingByteRuns(_ arguments: [String]) -> [String] {
        guard arguments.first == "map" else { return arguments }
        var out: [String] = []
        out.reserveCapacity(arguments.count)
        var run: [String] = []
        var inBytes = false
        func flush() {
            if !run.isEmpty { out.append(run.joined(separator: " ")) }
            run.removeAll(keepingCapacity: true)
        }
        for w in arguments {
            if inBytes && isByteWord(w) {
                run.append(w)
                continue
            }
            flush()
            out.append(w)
            inBytes = w == "key" || w == "value" || (inBytes && w == "hex")
        }
        flush()
        return out
    }

    private static func isByteWord(_ w: String) -> Bool {
        var digits = Substring(w)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        return !digits.isEmpty && digits.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }
    }

    /// The bytes of one section.
    static func bytes(_ words: [String], what: String) throws -> [UInt8] {
        guard !words.isEmpty else { throw IntrospectError("\(what) has no bytes") }
        if words[0] == "hex" {
            let digits = words.dropFirst().joined().filter { !$0.isWhitespace }
            guard !digits.isEmpty, digits.count % 2 == 0 else { throw IntrospectError("\(what): 'hex' needs an even number of hex digits") }
            var out: [UInt8] = []
            var i = digits.startIndex
            while i < digits.endIndex {
                let j = digits.index(i, offsetBy: 2)
                guard let b = UInt8(digits[i..<j], radix: 16) else { throw IntrospectError("\(what): '\(digits[i..<j])' is not a hex byte") }
                out.append(b)
                i = j
            }
            return out
        }
        return try words.map { w in
            let parsed: UInt8? = w.hasPrefix("0x") || w.hasPrefix("0X") ? UInt8(w.dropFirst(2), radix: 16) : UInt8(w)
            guard let b = parsed else { throw IntrospectError("\(what): '\(w)' is not a byte (use 0x00-0xff or 0-255, or 'hex 0a0b…')") }
            return b
        }
    }
}
