import BPF

extension LearnKernel {
    /// The largest part of a DNS message the kernel copies (LEARN_DNS_MAX in learn.h); a longer
    /// answer arrives cut, and its records that did not fit are lost.
    public static let dnsCopyLimit = 512

    /// Hands each DNS answer the workload received since the last call to `body`, without
    /// waiting: the message's bytes as copied (at most `dnsCopyLimit`) and its length on the
    /// wire. Returns how many.
    @discardableResult
    public func takeAnswers(_ body: (_ bytes: [UInt8], _ length: Int) -> Void) -> Int {
        answers.consume { record in
            let length = Int(record.length)
            let copied = min(length, Self.dnsCopyLimit)
            var bytes = [UInt8](repeating: 0, count: copied)
            for i in 0..<copied { bytes[i] = record.data[i] }
            body(bytes, length)
        }
    }

    /// Answers the kernel could not pass on (the ring buffer was full), since load.
    public func lostAnswers() throws(BPFError) -> UInt64 {
        try bindings.learnDnsStats.values(at: 0).reduce(0, +)
    }
}
