import Hummingbird
import SwiftBPFTools

/// `/api/v1/profile`: the continuous profile of a time range as folded text (default), a
/// flame graph SVG (`format=svg`, the same SVG `swiftbpf profile --svg` writes), a
/// differential SVG against a baseline range (`format=svg&base_since=…&base_until=…`), or
/// pprof (`format=pprof`). Filters: `since`, `until`, `pid`, `comm`, `tid` (or `thread`: a
/// thread id), `container` (a container id or a prefix of it).
struct ProfileQuery {
    enum Format: String { case folded, svg, pprof }
    var since: Int64?
    var until: Int64?
    var pid: UInt32?
    var comm: String?
    var tid: UInt32?
    var container: String?
    var format: Format = .folded
    var baseSince: Int64?
    var baseUntil: Int64?

    init(parameters p: Parameters) throws {
        let time = { (key: String) in try p.unixTime(key) }
        since = try time("since")
        until = try time("until")
        baseSince = try time("base_since")
        baseUntil = try time("base_until")
        comm = p["comm"].map(String.init)
        if let t = p["pid"] {
            guard let v = UInt32(t) else { throw ConfigError("pid must be a process id, got \(t)") }
            pid = v
        }
        for key in ["tid", "thread"] {
            guard let t = p[Substring(key)] else { continue }
            guard let v = UInt32(t), v > 0 else { throw ConfigError("\(key) must be a thread id, got \(t)") }
            if let tid, tid != v { throw ConfigError("tid=\(tid) and thread=\(v) disagree: give one thread id") }
            tid = v
        }
        if let t = p["container"] {
            guard !t.isEmpty, t.allSatisfy(\.isHexDigit) else { throw ConfigError("container must be a container id (hex) or a prefix of one, got \(t)") }
            container = String(t).lowercased()
        }
        if let t = p["format"] {
            guard let f = Format(rawValue: String(t)) else { throw ConfigError("format must be folded, svg or pprof, got \(t)") }
            format = f
        }
        if (baseSince != nil || baseUntil != nil) && format != .svg {
            throw ConfigError("base_since/base_until (a differential graph) need format=svg")
        }
    }

    func response(history: ProfileHistory, frequency: UInt64) -> Response {
        let stacks = history.stacks(since: since, until: until, pid: pid, comm: comm, tid: tid, container: container)
        let samples = stacks.reduce(0) { $0 + $1.count }
        var headers = HTTPFields()
        let body: ByteBuffer
        switch format {
        case .folded:
            headers[.contentType] = "text/plain; charset=utf-8"
            body = ByteBuffer(string: FoldedProfile.text(stacks) + "\n")
        case .pprof:
            headers[.contentType] = "application/octet-stream"
            let span = (since != nil && until != nil) ? until! - since! : 0
            body = ByteBuffer(bytes: PprofProfile.encode(stacks, frequency: frequency, timeNanoseconds: since ?? 0, durationNanoseconds: span))
        case .svg:
            headers[.contentType] = "image/svg+xml"
            let who = [pid.map { "process \($0)" } ?? comm.map { "command \($0)" }, tid.map { "thread \($0)" },
                       container.map { "container \($0)" }].compactMap { $0 }.joined(separator: ", ")
            if baseSince != nil || baseUntil != nil {
                let base = history.stacks(since: baseSince, until: baseUntil, pid: pid, comm: comm, tid: tid, container: container)
                let baseSamples = base.reduce(0) { $0 + $1.count }
                body = ByteBuffer(string: FlameGraphSVG.renderDifference(
                    base: base, stacks: stacks, subtitle: "\(samples) samples of \(who.isEmpty ? "all processes" : who) against a baseline of \(baseSamples)"))
            } else {
                body = ByteBuffer(string: FlameGraphSVG.render(stacks, title: "CPU Flame Graph", subtitle: "\(samples) samples of \(who.isEmpty ? "all processes" : who)"))
            }
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
