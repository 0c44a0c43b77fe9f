/// The CPUs the kernel could ever bring online (`/sys/devices/system/cpu/possible`). Per-CPU map
/// values hold one slot per possible CPU.
package enum PossibleCPUs {
    /// Parses a kernel CPU list such as "0-3", "0,2-5" or "0\n". Returns the CPU numbers.
    package static func parse(_ text: String) throws(BPFError) -> [Int] {
        var cpus: [Int] = []
        let trimmed = text.split(whereSeparator: { $0 == "\n" || $0 == " " }).first.map(String.init) ?? ""
        guard !trimmed.isEmpty else { throw .invalidArgument("empty CPU list") }
        for part in trimmed.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2,
                  let lo = Int(bounds[0]), let hi = Int(bounds[bounds.count - 1]), lo >= 0, hi >= lo, hi < 1 << 16
            else { throw .invalidArgument("malformed CPU list '\(trimmed)'") }
            cpus.append(contentsOf: lo...hi)
        }
        return cpus
    }

    /// The possible CPUs of this machine, read once.
    package static func list() throws(BPFError) -> [Int] {
        try cached.get()
    }

    /// How many CPUs are possible: the number of slots in a per-CPU value.
    package static func count() throws(BPFError) -> Int {
        try cached.get().count
    }

    private static let cached: Result<[Int], BPFError> = Result { () throws(BPFError) in
        let bytes = try Syscalls.readFile("/sys/devices/system/cpu/possible")
        return try parse(String(decoding: bytes, as: UTF8.self))
    }
}
