import Glibc

/// sslsniff's text output written straight from ring-buffer records into a byte buffer: the
/// same text as `SSLSniffFormat.text` (and a newline), without a `String` per field. Under a
/// TLS load of thousands of requests a second the reader shares the cores with the traced
/// client and server, so what it spends per event slows them down.
struct SSLSniffLines: ByteLines {
    var bytes: [UInt8] = []
    let payload: SSLSniffFormat.Payload
    let redact: Bool

    init(payload: SSLSniffFormat.Payload, redact: Bool) {
        self.payload = payload
        self.redact = redact
        bytes.reserveCapacity(1 << 16)
    }

    /// Appends one record's lines. Returns false, writing nothing, for a record that is no
    /// payload event.
    @discardableResult
    mutating func append(record: UnsafeRawBufferPointer, seconds: Double) -> Bool {
        guard let r = PayloadEventRecord(record), let direction = PayloadEvent.Direction(rawValue: r.direction),
              PayloadEvent.Source(rawValue: r.source) != nil else { return false }
        let task = r.task
        let comm = task.commBytes
        guard !comm.contains(where: { $0 >= 0x80 }) else {
            // Not ASCII: the String formatter pads by characters, as the columns are read.
            guard let event = PayloadEvent(record: record) else { return false }
            padded(SSLSniffFormat.text(event, seconds: seconds, payload: payload, redact: redact))
            bytes.append(0x0a)
            return true
        }
        var start = bytes.count
        switch direction {
        case .read: key("READ/RECV")
        case .write: key("WRITE/SEND")
        case .handshake: key("HANDSHAKE")
        }
        pad(from: start, 12)
        start = bytes.count
        let micros = Int64((seconds * 1e6).rounded())
        number(micros / 1_000_000, width: 0, left: true)
        bytes.append(0x2e)
        zeroPadded(micros % 1_000_000, digits: 6)
        pad(from: start, 14)
        start = bytes.count
        text(comm, width: 0)
        pad(from: start, 16)
        leftPadded(8) { $0.number(Int64(task.tgid), width: 0, left: true) }
        leftPadded(8) { $0.number(Int64(task.pid), width: 0, left: true) }
        let length = Int(r.len)
        if direction == .handshake {
            leftPadded(9) { $0.key("ret="); $0.number(r.ret, width: 0, left: true) }
        } else {
            leftPadded(9) { $0.number(Int64(length), width: 0, left: true) }
        }
        leftPadded(10) { $0.number(Int64(r.latencyNs / 1000), width: 0, left: true) }
        key("  ")
        padded(PayloadEvent.functionName(r.function, direction: direction))
        key(" 0x")
        hex(r.connId)
        if r.fd >= 0 { key(" fd="); number(Int64(r.fd), width: 0, left: true) }
        let c = r.conn
        if c.family == UInt16(AF_INET) || c.family == UInt16(AF_INET6) {
            bytes.append(0x20)
            endpoint(family: c.family, c.saddr, port: c.sport)
            key("->")
            endpoint(family: c.family, c.daddr, port: c.dport)
        }
        if payload != .none, direction != .handshake { appendData(r, length: length) }
        bytes.append(0x0a)
        return true
    }

    private mutating func appendData(_ r: PayloadEventRecord, length: Int) {
        let data = UnsafeRawBufferPointer(rebasing: r.data.prefix(Int(r.captured)))
        let truncated = data.count < length
        key("\n----- DATA")
        if truncated {
            key(" (")
            number(Int64(data.count), width: 0, left: true)
            key(" of ")
            number(Int64(length), width: 0, left: true)
            key(" bytes captured)")
        }
        key(" -----\n")
        if redact || payload == .hex {
            let shown = redact ? HTTPRedaction.payload(Array(data)) : Array(data)
            if payload == .hex { padded(SSLSniffFormat.hexDump(shown)) } else { shown.withUnsafeBytes { printable($0) } }
        } else {
            printable(data)
        }
        if truncated {
            key("\n... [")
            number(Int64(length - data.count), width: 0, left: true)
            key(" bytes not captured: --max-bytes]")
        }
        if r.flags & 2 != 0 { key("\n[the payload could not be read from the process]") }
        key("\n----- END DATA -----")
    }

    /// `SSLSniffFormat.printable`, byte by byte.
    private mutating func printable(_ data: UnsafeRawBufferPointer) {
        for b in data { bytes.append(SSLSniffFormat.printable(b)) }
    }

    /// `1.2.3.4:80` or `[::1]:443`, as `SocketEndpoint.description`.
    private mutating func endpoint(family: UInt16, _ address: UnsafeRawBufferPointer, port: UInt16) {
        let v6 = family == UInt16(AF_INET6)
        if v6 { bytes.append(0x5b) }
        self.address(family: family, UnsafeRawBufferPointer(rebasing: address.prefix(v6 ? 16 : 4)))
        if v6 { bytes.append(0x5d) }
        bytes.append(0x3a)
        number(Int64(port), width: 0, left: true)
    }

    /// The columns' `pad`: the field written since `start`, then spaces to `width`, or one
    /// space when it is that wide already.
    private mutating func pad(from start: Int, _ width: Int) {
        let n = bytes.count - start
        spaces(n >= width ? 1 : width - n)
    }

    /// The columns' `leftPad`: what `field` writes, right-aligned to `width`, or after one space
    /// when it is that wide already.
    private mutating func leftPadded(_ width: Int, _ field: (inout SSLSniffLines) -> Void) {
        let start = bytes.count
        field(&self)
        let n = bytes.count - start
        let fill = n >= width ? 1 : width - n
        bytes.insert(contentsOf: repeatElement(0x20, count: fill), at: start)
    }
}
