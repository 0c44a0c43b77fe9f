/// A small gzip (RFC 1952) and DEFLATE (RFC 1951) decoder, enough to read the kernel's
/// `/proc/config.gz` (libbpf reads it with zlib's `gzgets`). Pure: no system calls.
/// Multiple gzip members are concatenated; the CRC32 and size trailer are skipped, not checked.
enum Gzip {
    /// The uncompressed bytes of a gzip file.
    static func decompress(_ data: [UInt8]) throws(BPFError) -> [UInt8] {
        var output: [UInt8] = []
        var position = 0
        repeat {
            position = try member(data, at: position, into: &output)
            while position < data.count && data[position] == 0 { position += 1 }  // padding
        } while position + 1 < data.count && data[position] == 0x1f && data[position + 1] == 0x8b
        return output
    }

    /// Decodes the gzip member at `start`; returns where the next one begins.
    private static func member(_ data: [UInt8], at start: Int, into output: inout [UInt8]) throws(BPFError) -> Int {
        guard data.count >= start + 18, data[start] == 0x1f, data[start + 1] == 0x8b, data[start + 2] == 8 else {
            throw .malformedObject("not a gzip (deflate) stream")
        }
        let flags = data[start + 3]
        var p = start + 10
        if flags & 0x04 != 0 {  // FEXTRA
            guard p + 2 <= data.count else { throw .malformedObject("gzip: truncated header") }
            p += 2 + (Int(data[p]) | Int(data[p + 1]) << 8)
        }
        for bit: UInt8 in [0x08, 0x10] where flags & bit != 0 {  // FNAME, FCOMMENT
            while p < data.count && data[p] != 0 { p += 1 }
            p += 1
        }
        if flags & 0x02 != 0 { p += 2 }  // FHCRC
        guard p < data.count else { throw .malformedObject("gzip: truncated header") }
        var reader = BitReader(data: data, position: p)
        try inflate(&reader, into: &output)
        return reader.alignedPosition + 8  // CRC32 and ISIZE
    }

    struct BitReader {
        let data: [UInt8]
        var position: Int
        var bitBuffer: UInt32 = 0
        var bitCount = 0

        mutating func bits(_ n: Int) throws(BPFError) -> Int {
            while bitCount < n {
                guard position < data.count else { throw .malformedObject("gzip: truncated deflate stream") }
                bitBuffer |= UInt32(data[position]) << UInt32(bitCount)
                position += 1
                bitCount += 8
            }
            let v = Int(bitBuffer & ((1 << UInt32(n)) - 1))
            bitBuffer >>= UInt32(n)
            bitCount -= n
            return v
        }

        /// Drops the bits left in the current byte.
        mutating func align() {
            bitBuffer = 0
            bitCount = 0
        }

        var alignedPosition: Int { position - bitCount / 8 }
    }

    /// A canonical Huffman code: symbol counts per length and symbols in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) throws(BPFError) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for l in 1..<16 { offsets[l] = offsets[l - 1] + counts[l - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (s, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = s
                offsets[l] += 1
            }
        }

        func decode(_ r: inout BitReader) throws(BPFError) -> Int {
            var code = 0, first = 0, index = 0
            for l in 1..<16 {
                code |= try r.bits(1)
                let count = counts[l]
                if code - first < count { return symbols[index + code - first] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw .malformedObject("gzip: invalid Huffman code")
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    static func inflate(_ r: inout BitReader, into out: inout [UInt8]) throws(BPFError) {
        var last = false
        while !last {
            last = try r.bits(1) == 1
            switch try r.bits(2) {
            case 0:
                r.align()
                let p = r.position
                guard p + 4 <= r.data.count else { throw .malformedObject("gzip: truncated stored block") }
                let len = Int(r.data[p]) | Int(r.data[p + 1]) << 8
                let nlen = Int(r.data[p + 2]) | Int(r.data[p + 3]) << 8
                guard len == ~nlen & 0xffff, p + 4 + len <= r.data.count else { throw .malformedObject("gzip: bad stored block") }
                out += r.data[(p + 4)..<(p + 4 + len)]
                r.position = p + 4 + len
            case 1:
                let lit = try Huffman(lengths: [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
                    + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8))
                let dist = try Huffman(lengths: [Int](repeating: 5, count: 30))
                try block(&r, lit, dist, &out)
            case 2:
                let nlen = try r.bits(5) + 257, ndist = try r.bits(5) + 1, ncode = try r.bits(4) + 4
                var codeLengths = [Int](repeating: 0, count: 19)
                for i in 0..<ncode { codeLengths[codeLengthOrder[i]] = try r.bits(3) }
                let codeCode = try Huffman(lengths: codeLengths)
                var lengths: [Int] = []
                while lengths.count < nlen + ndist {
                    let sym = try codeCode.decode(&r)
                    switch sym {
                    case 0..<16: lengths.append(sym)
                    case 16:
                        guard let previous = lengths.last else { throw .malformedObject("gzip: repeat with no length") }
                        lengths += [Int](repeating: previous, count: 3 + (try r.bits(2)))
                    case 17: lengths += [Int](repeating: 0, count: 3 + (try r.bits(3)))
                    default: lengths += [Int](repeating: 0, count: 11 + (try r.bits(7)))
                    }
                }
                guard lengths.count == nlen + ndist else { throw .malformedObject("gzip: too many code lengths") }
                try block(&r, try Huffman(lengths: Array(lengths[..<nlen])), try Huffman(lengths: Array(lengths[nlen...])), &out)
            default:
                throw .malformedObject("gzip: invalid deflate block type")
            }
        }
    }

    static func block(_ r: inout BitReader, _ lit: Huffman, _ dist: Huffman, _ out: inout [UInt8]) throws(BPFError) {
        while true {
            let sym = try lit.decode(&r)
            if sym < 256 {
                out.append(UInt8(sym))
            } else if sym == 256 {
                return
            } else {
                let li = sym - 257
                guard li < lengthBase.count else { throw .malformedObject("gzip: bad length symbol") }
                let length = lengthBase[li] + (try r.bits(lengthExtra[li]))
                let di = try dist.decode(&r)
                guard di < distanceBase.count else { throw .malformedObject("gzip: bad distance symbol") }
                let distance = distanceBase[di] + (try r.bits(distanceExtra[di]))
                guard distance <= out.count else { throw .malformedObject("gzip: distance too far back") }
                let from = out.count - distance
                for i in 0..<length { out.append(out[from + i]) }
            }
        }
    }
}
