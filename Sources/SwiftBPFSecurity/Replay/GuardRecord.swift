import Glibc
import ToolText

/// One recorded event: the facts the matcher reads (`GuardMatchFacts`), what people need to
/// recognise it (pid, comm, paths, address), and what the live run decided, if it ran a policy.
/// `guard record` writes one per line as JSON; `guard replay` and `guard diff` read them back.
public struct GuardRecord: Sendable, Equatable {
    public var timestampNanoseconds: UInt64
    public var facts: GuardMatchFacts
    public var pid: UInt32
    public var ppid: UInt32
    public var comm: String
    public var binaryPath: String?
    /// exec: the binary; open: the file.
    public var path: String?
    public var argv: [String] = []
    public var addressText: String?
    /// The live decision: the deciding rule's name, its action, and whether it was carried out.
    public var liveRule: String?
    public var liveAction: GuardAction = .none
    public var liveEnforced: Bool = false

    public init(timestampNanoseconds: UInt64, facts: GuardMatchFacts, pid: UInt32, ppid: UInt32, comm: String) {
        self.timestampNanoseconds = timestampNanoseconds
        self.facts = facts
        self.pid = pid
        self.ppid = ppid
        self.comm = comm
    }

    /// One line of text, for replay output.
    public var summary: String {
        var s = "\(facts.kind.name) pid=\(pid) comm=\(comm)"
        switch facts.kind {
        case .exec: s += " " + (path ?? "?") + (argv.count > 1 ? " argv=" + argv.joined(separator: " ") : "")
        case .open: s += " " + (path ?? "?") + (facts.write ? " (write)" : "")
        case .connect, .bind, .sendmsg, .listen, .accept: s += " \(addressText ?? "?") port \(facts.port ?? 0)"
        case .socket:
            s += " family=\(facts.socketFamily.map(GuardSocketNames.familyName) ?? "?") type=\(facts.socketType.map(GuardSocketNames.typeName) ?? "?")"
        case .device: s += " " + (facts.device?.text ?? "?")
        default: break
        }
        if let b = binaryPath, facts.kind != .exec { s += " binary=\(b)" }
        return s
    }
}

extension GuardRecord {
    /// The JSON line (no newline).
    public var json: String {
        var f: [(String, String)] = [("t", "\(timestampNanoseconds)"), ("event", JSON.string(facts.kind.name)),
                                     ("pid", "\(pid)"), ("ppid", "\(ppid)"), ("uid", "\(facts.uid)"), ("comm", JSON.string(comm))]
        if let b = facts.binary { f.append(("binary", JSON.string(b.description))) }
        if let p = binaryPath { f.append(("binary_path", JSON.string(p))) }
        if let p = facts.parentBinary { f.append(("parent_binary", JSON.string(p.description))) }
        if facts.fileless { f.append(("fileless", "true")) }
        if !facts.cgroupAncestors.isEmpty { f.append(("cgroups", JSON.array(facts.cgroupAncestors.map { "\($0)" }))) }
        if let p = path { f.append(("path", JSON.string(p))) }
        if !facts.pathChain.isEmpty { f.append(("path_chain", JSON.array(facts.pathChain.map { JSON.string($0.description) }))) }
        if facts.write { f.append(("write", "true")) }
        if !argv.isEmpty { f.append(("argv", JSON.array(argv.map(JSON.string)))) }
        if let port = facts.port { f.append(("port", "\(port)")) }
        if let a = addressText { f.append(("address", JSON.string(a))) }
        if let v = facts.socketFamily { f.append(("socket_family", "\(v)")) }
        if let v = facts.socketType { f.append(("socket_type", "\(v)")) }
        if let d = facts.device {
            f += [("device_type", "\(d.type)"), ("device_major", "\(d.major)"), ("device_minor", "\(d.minor)"), ("device_access", "\(d.access)")]
        }
        if let r = liveRule {
            f.append(("rule", JSON.string(r)))
            f.append(("action", JSON.string(liveAction.name)))
            f.append(("enforced", "\(liveEnforced)"))
        }
        return JSON.object(f)
    }

    /// Reads one line of a recording; errors say which field is wrong (the caller adds the line).
    public init(json line: Substring) throws(GuardRecordError) {
        try self.init(jsonBytes: Array(line.utf8))
    }

    /// Reads one line of a recording given as its UTF-8 bytes (no newline).
    public init(jsonBytes line: [UInt8]) throws(GuardRecordError) {
        let value: JSONValue
        do { value = try JSONLine.parse(bytes: line) } catch { throw GuardRecordError("column \(error.column): \(error.problem)") }
        guard case .object(let o) = value else { throw GuardRecordError("expected a JSON object") }
        func need<T>(_ key: String, _ get: (JSONValue) -> T?) throws(GuardRecordError) -> T {
            guard let v = o[key] else { throw GuardRecordError("missing field '\(key)'") }
            guard let t = get(v) else { throw GuardRecordError("field '\(key)' has the wrong type or range") }
            return t
        }
        func optional<T>(_ key: String, _ get: (JSONValue) -> T?) throws(GuardRecordError) -> T? {
            guard let v = o[key], v != .null else { return nil }
            guard let t = get(v) else { throw GuardRecordError("field '\(key)' has the wrong type or range") }
            return t
        }
        func fileID(_ v: JSONValue) -> FileID? { v.string.flatMap(FileID.init(parsing:)) }
        let kindName = try need("event") { $0.string }
        guard let kind = GuardEventKind(name: kindName) else { throw GuardRecordError("unknown event '\(kindName)'") }
        var facts = GuardMatchFacts(kind: kind, binary: try optional("binary", fileID), parentBinary: try optional("parent_binary", fileID),
                                    uid: try need("uid") { $0.integer(UInt32.self) })
        facts.fileless = try optional("fileless") { $0.bool } ?? false
        facts.cgroupAncestors = try optional("cgroups") { v in v.array.flatMap { a in
            let ids = a.compactMap { $0.integer(UInt64.self) }
            return ids.count == a.count ? ids : nil
        } } ?? []
        facts.pathChain = try optional("path_chain") { v in v.array.flatMap { a in
            let ids = a.compactMap(fileID)
            return ids.count == a.count ? ids : nil
        } } ?? []
        facts.write = try optional("write") { $0.bool } ?? false
        facts.port = try optional("port") { $0.integer(UInt16.self) }
        facts.socketFamily = try optional("socket_family") { $0.integer(UInt32.self) }
        facts.socketType = try optional("socket_type") { $0.integer(UInt32.self) }
        if let type = try optional("device_type", { $0.integer(UInt32.self) }) {
            facts.device = GuardDeviceAccess(type: type, major: try need("device_major") { $0.integer(UInt32.self) },
                                             minor: try need("device_minor") { $0.integer(UInt32.self) },
                                             access: try need("device_access") { $0.integer(UInt32.self) })
        }
        let address = try optional("address") { $0.string }
        if let address {
            guard let bytes = GuardRecord.addressBytes(address) else { throw GuardRecordError("field 'address': '\(address)' is not an IP address") }
            facts.address = bytes
        }
        self.init(timestampNanoseconds: try optional("t") { $0.integer(UInt64.self) } ?? 0, facts: facts,
                  pid: try need("pid") { $0.integer(UInt32.self) }, ppid: try optional("ppid") { $0.integer(UInt32.self) } ?? 0,
                  comm: try optional("comm") { $0.string } ?? "")
        addressText = address
        binaryPath = try optional("binary_path") { $0.string }
        path = try optional("path") { $0.string }
        argv = try optional("argv") { v in v.array.flatMap { a in
            let s = a.compactMap(\.string)
            return s.count == a.count ? s : nil
        } } ?? []
        if kind == .exec { self.facts.argv = argv }
        liveRule = try optional("rule") { $0.string }
        if let a = try optional("action", { $0.string }) {
            let parsed: GuardAction? = a == "none" ? GuardAction.none : GuardAction(name: a)
            guard let action = parsed else { throw GuardRecordError("unknown action '\(a)'") }
            liveAction = action
        }
        liveEnforced = try optional("enforced") { $0.bool } ?? false
    }

    /// An address as the kernel keys it: 16 bytes, IPv4 mapped (::ffff:a.b.c.d).
    public static func addressBytes(_ text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes[10] = 0xff
            bytes[11] = 0xff
            withUnsafeBytes(of: v4.s_addr) { for i in 0..<4 { bytes[12 + i] = $0[i] } }
            return bytes
        }
        if inet_pton(AF_INET6, text, &v6) == 1 {
            withUnsafeBytes(of: v6) { for i in 0..<16 { bytes[i] = $0[i] } }
            return bytes
        }
        return nil
    }
}

/// A recording line that cannot be read: `file:line: reason`.
public struct GuardRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var message: String

    public init(_ message: String, file: String? = nil, line: Int? = nil) {
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String {
        switch (file, line) {
        case let (f?, l?): "\(f):\(l): \(message)"
        case let (nil, l?): "line \(l): \(message)"
        default: message
        }
    }
}

/// Reads a whole recording (JSON lines; blank lines and lines starting with '#' are skipped).
public enum GuardRecording {
    /// The records of a whole recording held in memory (tests, small files).
    public static func parse(_ text: String, file: String = "<recording>") throws(GuardRecordError) -> [GuardRecord] {
        var out: [GuardRecord] = []
        var lineNumber = 0
        // By UTF-8 bytes: splitting a String by Character walks grapheme clusters.
        for line in text.utf8.split(separator: 10, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            do {
                out.append(try GuardRecord(jsonBytes: Array(line)))
            } catch {
                throw GuardRecordError(error.message, file: file, line: lineNumber)
            }
        }
        return out
    }

    /// Reads the recording at `path` one line at a time, in bounded memory (a line longer than
    /// `maxLine` bytes is an error), and hands each record to `body` with its line number.
    public static func forEach(path: String, maxLine: Int = 1 << 20,
                               _ body: (GuardRecord, Int) throws(GuardRecordError) -> Void) throws(GuardRecordError) {
        let reader = try LineFileReader(path: path)
        var lineNumber = 0
        while let line = try reader.nextLine(maxLength: maxLine, lineNumber: lineNumber + 1) {
            lineNumber += 1
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            let record: GuardRecord
            do {
                record = try GuardRecord(jsonBytes: line)
            } catch {
                throw GuardRecordError(error.message, file: path, line: lineNumber)
            }
            try body(record, lineNumber)
        }
    }
}
