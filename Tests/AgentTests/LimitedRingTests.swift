import Testing
@testable import SwiftBPFAgent
import SwiftBPFTools

/// The ring of a limited collector holds two seconds of its allowance in typical records, as a
/// power of two between 16 and 512 KiB, and an unlimited collector keeps the tool's default.
struct LimitedRingTests {
    /// The ring's size in KiB for `rate` events a second of `record` bytes.
    func kib(_ rate: Int, _ record: Int) -> Int? {
        LimitedRing(eventsPerSecond: rate, typicalRecordBytes: record).bytes.map { Int($0) / 1024 }
    }

    @Test func sizesFollowTheLimit() {
        // exit: 64-byte records (72 in the ring) at 100 a second: 14,400 bytes → 16 KiB.
        #expect(kib(100, 64) == 16)
        // open: 256 + 8 bytes at 100 a second: 52,800 → 64 KiB.
        #expect(kib(100, 256) == 64)
        // exec: 520 bytes at 100 a second: 104,000 → 128 KiB; at 200, 256 KiB.
        #expect(kib(100, 512) == 128)
        #expect(kib(200, 512) == 256)
        // A high limit stops at the tools' 512 KiB; a tiny one at 16 KiB.
        #expect(kib(100_000, 512) == 512)
        #expect(kib(1, 64) == 16)
        // No limit: the tool's default ring and the agent's short pacing.
        let unlimited = LimitedRing(eventsPerSecond: 0, typicalRecordBytes: 512)
        #expect(unlimited.bytes == nil)
        #expect(unlimited.pacing.pauseMilliseconds == ReadPacing.agent.pauseMilliseconds)
    }

    @Test func everySizeIsAPowerOfTwo() {
        for rate in [1, 7, 100, 333, 1000, 5000] {
            for record in [16, 64, 200, 512, 4096] {
                let bytes = Int(LimitedRing(eventsPerSecond: rate, typicalRecordBytes: record).bytes!)
                #expect(bytes & (bytes - 1) == 0 && bytes >= 16 * 1024 && bytes <= 512 * 1024, "\(rate)/s × \(record) B → \(bytes)")
            }
        }
    }
}
