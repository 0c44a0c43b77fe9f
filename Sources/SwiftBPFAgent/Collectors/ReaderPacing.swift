import SwiftBPFTools

extension ReadPacing {
    /// The agent's collectors: they store and count events, so 10 ms of delay costs nothing, and
    /// the wait is bounded so that a burst of 100,000 events/s of a few hundred bytes each fits a
    /// 512 KiB ring meanwhile.
    static let agent = ReadPacing(smallBatch: 256, pauseMilliseconds: 10)

    /// A source whose kernel side sends at most `eventsPerSecond` events (its rate limit) of at
    /// most `recordBytes` each: after a small batch its reader waits for as long as half of
    /// `ringBytes` takes to fill at that rate, between 10 and 200 ms. At a few hundred events a
    /// second most wake-ups then carry tens of events, not one, and wake-ups were what such a
    /// reader's CPU went to.
    static func agent(limitedTo eventsPerSecond: Int, recordBytes: Int, ringBytes: Int) -> ReadPacing {
        guard eventsPerSecond > 0 else { return agent }
        let fill = 1000 * ringBytes / 2 / max(1, eventsPerSecond * max(1, recordBytes))
        return ReadPacing(smallBatch: 256, pauseMilliseconds: min(200, max(10, fill)))
    }
}
