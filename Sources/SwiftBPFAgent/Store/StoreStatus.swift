/// The store's health, as the API reports it.
public struct StoreStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        case ok
        /// The last write failed because the disk is full; batches are dropped (and counted)
        /// until writes succeed again.
        case full
        /// The database was corrupt and was moved aside; a new one was started.
        case recovered
        /// The store cannot write at all (the reason says why); events still reach metrics,
        /// the live stream and OTLP.
        case failed
        case disabled
    }
    public var state: State
    public var reason: String
    public var path: String?
    public var storedEvents: Int64 = 0
    public var droppedEvents: Int64 = 0
    public var recoveries: Int = 0
    public var lastRetentionDeleted: Int = 0
}
