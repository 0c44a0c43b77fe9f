import BPF
import Glibc

/// Reading and writing the profile's files (folded input of `profile diff`, SVG and pprof
/// output), with errors that name the file.
enum ProfileFiles {
    static func write(_ path: String, _ bytes: [UInt8]) throws {
        do { try Syscalls.writeFile(path, bytes) } catch {
            throw CommandError("profile: cannot write \(path): \(error)")
        }
    }

    /// A folded profile from a file (at most 256 MiB), parsed.
    static func readFolded(_ path: String) throws -> [FoldedStack] {
        let bytes: [UInt8]
        do { bytes = try Syscalls.readRegularFile(path, maximumSize: 256 << 20) } catch {
            throw CommandError("profile diff: cannot read \(path): \(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandError("profile diff: \(path) is not UTF-8 text (a folded profile is 'frame;frame;... count' lines)")
        }
        do { return try FoldedProfile.parse(text) } catch {
            throw CommandError("profile diff: \(path): \(error)")
        }
    }

    static func realtimeNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
