import SwiftBPFTools

/// The event ring and reader pacing of a collector whose kernel side sends at most
/// `eventsPerSecond` events a second (`max_events_per_second`).
///
/// Such a ring needs to hold a burst of one second's allowance, not the 512 KiB the tools keep
/// for unlimited bursts: each CPU's window opens at a second boundary and may send its whole share
/// at once. It is sized for two seconds of typical records, since every page of a ring ends up
/// resident in the agent once the producer has wrapped around it. A burst of records larger than
/// the typical size can still overflow it; those events are lost and reported as such, while the
/// kernel-side counts, taken before the limit, stay exact.
struct LimitedRing {
    /// The ring's size in bytes (`BPF_MAP_TYPE_RINGBUF` max_entries: a power of two, a page
    /// multiple), or nil for the tool's default when the collector has no limit.
    let bytes: UInt32?
    let pacing: ReadPacing

    static let smallest = 16 * 1024
    static let largest = 512 * 1024

    init(eventsPerSecond: Int, typicalRecordBytes: Int) {
        guard eventsPerSecond > 0 else {
            bytes = nil
            pacing = .agent
            return
        }
        // bpf_ringbuf_output() adds an 8-byte header and rounds the record up to 8 bytes.
        let record = (typicalRecordBytes + 8 + 7) & ~7
        let wanted = min(Self.largest, max(Self.smallest, 2 * eventsPerSecond * record))
        var size = Self.smallest
        while size < wanted { size <<= 1 }
        bytes = UInt32(size)
        pacing = .agent(limitedTo: eventsPerSecond, recordBytes: typicalRecordBytes, ringBytes: size)
    }
}
