import ToolText
/// opensnoop's column output written straight from ring-buffer records into a byte buffer:
/// no `String` per event, so the reader keeps up with bursts of hundreds of thousands of opens.
/// The text is the same as `OpenSnoopFormat.line`, or `OpenSnoopFormat.json` in JSON mode.
public struct OpenSnoopLines {
    /// The bytes written so far; the caller empties it after writing it out.
    public var bytes: [UInt8] = []
    let uid: Bool
    let flags: Bool
    /// JSON objects instead of columns, with the cgroup path from this resolver.
    let cgroups: CgroupPaths?
    var lastCgroup: (id: UInt64, json: [UInt8])?

    public init(uid: Bool = false, flags: Bool = false) {
        self.uid = uid
        self.flags = flags
        cgroups = nil
        bytes.reserveCapacity(1 << 16)
    }

    /// JSON mode: one object per line, as `OpenSnoopFormat.json(_:seconds:cgroups:)` writes it.
    public init(jsonWith cgroups: CgroupPaths) {
        uid = false
        flags = false
        self.cgroups = cgroups
        bytes.reserveCapacity(1 << 16)
    }

    /// Appends the line of one record (with the TIME(s) column when `seconds` is given).
    /// Returns false, writing nothing, for a record too short to be an event.
    @discardableResult
    public mutating func append(record: UnsafeRawBufferPointer, seconds: Double? = nil) -> Bool {
        guard let event = OpenEventRecord(record) else { return false }
        let ret = event.ret
        if let cgroups {
            appendJSON(event, seconds: seconds, cgroups: cgroups)
            return true
        }
        let task = event.task
        if let seconds { padded(Columns.pad(TimeText.seconds(seconds), 9)) }
        if uid { number(Int64(task.uid), width: 6, left: true); bytes.append(0x20) }
        number(Int64(task.tgid), width: 6, left: true)
        bytes.append(0x20)
        text(task.commBytes, width: 16)
        bytes.append(0x20)
        number(Int64(ret >= 0 ? ret : -1), width: 4, left: false)
        bytes.append(0x20)
        number(Int64(ret < 0 ? -Int64(ret) : 0), width: 3, left: false)
        bytes.append(0x20)
        if flags {
            padded(Columns.octal(event.flags, width: 8))
            bytes.append(0x20)
        }
        if let full = Self.fullPath(event) { bytes.append(contentsOf: full) } else {
            text(Self.path(event), width: 0)
        }
        bytes.append(0x0a)
        return true
    }

    mutating func appendJSON(_ event: OpenEventRecord, seconds: Double?, cgroups: CgroupPaths) {
        let task = event.task
        let ret = event.ret
        let cgroupID = task.cgroupId
        if let seconds { key("{\"time\":"); padded(TimeText.seconds(seconds)); key(",\"pid\":") } else { key("{\"pid\":") }
        number(Int64(task.pid), width: 0, left: true)
        key(",\"tgid\":"); number(Int64(task.tgid), width: 0, left: true)
        key(",\"ppid\":"); number(Int64(task.ppid), width: 0, left: true)
        key(",\"uid\":"); number(Int64(task.uid), width: 0, left: true)
        key(",\"comm\":"); jsonString(task.commBytes)
        key(",\"cgroup_id\":"); padded(String(cgroupID))
        key(",\"cgroup\":")
        if lastCgroup?.id != cgroupID {
            lastCgroup = (cgroupID, Array((cgroups.path(of: cgroupID).map(JSON.string) ?? "null").utf8))
        }
        bytes.append(contentsOf: lastCgroup?.json ?? [])
        key(",\"fd\":"); number(Int64(ret >= 0 ? ret : -1), width: 0, left: true)
        key(",\"errno\":"); number(ret < 0 ? -Int64(ret) : 0, width: 0, left: true)
        key(",\"ret\":"); number(Int64(ret), width: 0, left: true)
        key(",\"flags\":"); number(Int64(event.flags), width: 0, left: true)
        key(",\"dfd\":"); number(Int64(event.dfd), width: 0, left: true)
        key(",\"path\":")
        if let full = Self.fullPath(event) { padded(JSON.string(String(decoding: full, as: UTF8.self))) } else {
            jsonString(Self.path(event))
        }
        key("}\n")
    }

    /// The path as passed: in `data` after `cwd_size` bytes of directory names, at most
    /// `path_size` bytes (the NUL is found by the writers).
    static func path(_ event: OpenEventRecord) -> UnsafeRawBufferPointer {
        let data = event.data
        let start = min(Int(event.cwdSize), data.count)
        let end = min(data.count, start + Int(event.pathSize))
        return UnsafeRawBufferPointer(rebasing: data[start..<end])
    }

    /// The working directory's names and the path joined, when the record carries names.
    static func fullPath(_ event: OpenEventRecord) -> [UInt8]? {
        let data = event.data
        let cwdSize = min(Int(event.cwdSize), data.count)
        guard cwdSize > 0 else { return nil }
        var out = Array(OpenEvent.directory(UnsafeRawBufferPointer(rebasing: data[0..<cwdSize])).utf8)
        if out.last != 0x2f { out.append(0x2f) }
        let path = Self.path(event)
        out.append(contentsOf: path.prefix { $0 != 0 })
        return out
    }

    mutating func key(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// A NUL-terminated field as a JSON string: ASCII is escaped byte by byte; anything else
    /// goes through `JSON.string`, which also replaces invalid UTF-8.
    mutating func jsonString(_ source: UnsafeRawBufferPointer) {
        var stop = 0
        var ascii = true
        while stop < source.count, source[stop] != 0 {
            if source[stop] >= 0x80 { ascii = false }
            stop += 1
        }
        let field = UnsafeRawBufferPointer(rebasing: source[0..<stop])
        guard ascii else {
            padded(JSON.string(String(decoding: field, as: UTF8.self)))
            return
        }
        bytes.append(0x22)
        for b in field {
            switch b {
            case 0x22: bytes.append(0x5c); bytes.append(0x22)
            case 0x5c: bytes.append(0x5c); bytes.append(0x5c)
            case 0x0a: bytes.append(0x5c); bytes.append(0x6e)
            case 0x0d: bytes.append(0x5c); bytes.append(0x72)
            case 0x09: bytes.append(0x5c); bytes.append(0x74)
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5c, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }

    mutating func padded(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A decimal number, padded with spaces to `width` on the right (`left`) or on the left.
    mutating func number(_ value: Int64, width: Int, left: Bool) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = value.magnitude
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - count] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
                count += 1
            } while v > 0
            if value < 0 { count += 1; d[20 - count] = 0x2d }
            if !left { for _ in count..<max(count, width) { bytes.append(0x20) } }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(20 - count)...]))
            if left { for _ in count..<max(count, width) { bytes.append(0x20) } }
        }
    }

    /// The bytes of a field up to its first NUL, padded to `width`.
    mutating func text(_ field: UnsafeRawBufferPointer, width: Int) {
        var stop = 0
        while stop < field.count, field[stop] != 0 { stop += 1 }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: field[0..<stop]))
        for _ in stop..<Swift.max(stop, width) { bytes.append(0x20) }
    }
}
