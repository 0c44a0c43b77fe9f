import ToolText
/// opensnoop's column output written straight from ring-buffer records into a byte buffer:
/// no `String` per event, so the reader keeps up with bursts of hundreds of thousands of opens.
/// The text is the same as `OpenSnoopFormat.line`, or `OpenSnoopFormat.json` in JSON mode.
public struct OpenSnoopLines: ByteLines {
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
}
