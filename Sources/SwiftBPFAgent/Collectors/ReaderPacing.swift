import SwiftBPFTools

extension ReadPacing {
    /// The agent's collectors: they store and count events, so 10 ms of delay costs nothing, and
    /// the wait is bounded so that a burst of 100,000 events/s of a few hundred bytes each fits a
    /// 512 KiB ring meanwhile.
    static let agent = ReadPacing(smallBatch: 256, pauseMilliseconds: 10)
}
