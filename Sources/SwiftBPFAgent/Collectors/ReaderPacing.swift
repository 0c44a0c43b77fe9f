import Glibc

/// How a collector's reader paces its polls. The kernel wakes a ring-buffer reader for a record
/// only when the reader had caught up (`bpf_ringbuf_output` without `BPF_RB_FORCE_WAKEUP`), so a
/// reader that polls again at once after each small batch pays a wakeup and two context switches
/// for nearly every event. After a small batch it waits a little instead: the events that arrive
/// meanwhile come in the next batch without wakeups of their own. A large batch means load: it
/// reads again at once. The agent stores and counts events; a few milliseconds of delay cost it
/// nothing, and the rings (512 KiB and up) hold far more than that wait brings.
enum ReaderPacing {
    /// Batches smaller than this are followed by `pauseMilliseconds`.
    static let smallBatch = 256
    /// The wait after a small batch: also the most it delays an event, and bounded so that a
    /// burst of 100,000 events/s of a few hundred bytes each fits a 512 KiB ring meanwhile.
    static let pauseMilliseconds: UInt32 = 10

    /// Call after each poll with the number of records it delivered.
    static func afterBatch(_ records: Int) {
        guard records > 0, records < smallBatch else { return }
        usleep(pauseMilliseconds * 1000)
    }
}
