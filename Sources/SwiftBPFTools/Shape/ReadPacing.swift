/// How a ring-buffer reader paces its polls. The kernel wakes a reader for a record only when
/// the reader had caught up (`bpf_ringbuf_output` without `BPF_RB_FORCE_WAKEUP`), so a reader
/// that polls again at once after each small batch pays a wakeup and two context switches for
/// nearly every record. After a small batch it waits a little instead: the records that arrive
/// meanwhile come in the next batch without wakeups of their own. A large batch means load: it
/// reads again at once. The wait is also the most it delays a record.
package struct ReadPacing: Sendable {
    /// Batches smaller than this are followed by `pauseMilliseconds`.
    package let smallBatch: Int
    package let pauseMilliseconds: Int

    package init(smallBatch: Int, pauseMilliseconds: Int) {
        self.smallBatch = smallBatch
        self.pauseMilliseconds = pauseMilliseconds
    }

    /// Call after each poll with the number of records it delivered.
    package func afterBatch(_ records: Int) {
        guard records > 0, records < smallBatch else { return }
        Sleep.milliseconds(pauseMilliseconds)
    }
}
