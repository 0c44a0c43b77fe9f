import BPF
import Glibc

/// Parses the kernel's BTF from scratch `iterations` times and reports, as one JSON line:
/// the median and minimum parse time; the memory a parsed BTF keeps and the time of a first
/// lookup after `prepareLookups(of:)` (what loading an object does); the time of a first lookup
/// that builds the name index, of a lookup that hits and of one that misses, and the memory a
/// BTF with its index keeps (anonymous RSS and file-backed RSS, from /proc/self/status).
enum BTFParseBenchmark {
    static func run(path: String, iterations: Int) throws {
        var parseTimes: [Double] = []
        for _ in 0..<iterations {
            let t0 = now()
            let btf = try BTF.load(path: path)
            parseTimes.append(now() - t0)
            withExtendedLifetime(btf) {}
        }

        // What loading an object does: parse, then one scan for the names it needs.
        let parsedBefore = status("RssAnon")
        let scanned = try BTF.load(path: path)
        let parsedAnon = status("RssAnon") - parsedBefore
        let ts = now()
        scanned.prepareLookups(of: ["task_struct"])
        let prepared = scanned.typeID(named: "task_struct", kind: .struct)
        let preparedLookup = now() - ts
        withExtendedLifetime(scanned) {}

        // A lookup of a name nobody prepared builds the full name index.
        let anonBefore = status("RssAnon"), fileBefore = status("RssFile")
        let t0 = now()
        let btf = try BTF.load(path: path)
        let parse = now() - t0
        let t1 = now()
        let first = btf.typeID(named: "task_struct", kind: .struct)
        let firstLookup = now() - t1
        let t2 = now()
        var hits = 0
        for _ in 0..<1000 where btf.typeID(named: "task_struct", kind: .struct) != nil { hits += 1 }
        let hit = (now() - t2) / 1000
        let t3 = now()
        var misses = 0
        for _ in 0..<1000 where btf.typeID(named: "no_such_type_anywhere", kind: .struct) == nil { misses += 1 }
        let miss = (now() - t3) / 1000
        let anonAfter = status("RssAnon"), fileAfter = status("RssFile")
        withExtendedLifetime(btf) {}
        precondition(first != nil && first == prepared && hits == 1000 && misses == 1000)

        parseTimes.sort()
        let fields: [(String, String)] = [
            ("loader", "\"swiftbpf\""), ("types", "\(btf.count)"),
            ("parse_ms_median", ms(parseTimes[parseTimes.count / 2])), ("parse_ms_min", ms(parseTimes[0])),
            ("parse_ms_last", ms(parse)),
            ("prepared_lookup_ms", ms(preparedLookup)), ("parsed_anon_kib", "\(parsedAnon)"),
            ("first_lookup_ms", ms(firstLookup)), ("lookup_hit_us", us(hit)), ("lookup_miss_us", us(miss)),
            ("retained_anon_kib", "\(anonAfter - anonBefore)"), ("retained_file_kib", "\(fileAfter - fileBefore)"),
        ]
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func ms(_ s: Double) -> String { String(Double(Int(s * 1e6)) / 1000) }
    static func us(_ s: Double) -> String { String(Double(Int(s * 1e9)) / 1000) }

    /// A kB figure from /proc/self/status.
    static func status(_ key: String) -> Int {
        guard let bytes = try? Syscalls.readFile("/proc/self/status") else { return -1 }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
        }
        return -1
    }
}
