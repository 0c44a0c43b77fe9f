import Foundation
import Synchronization

/// What a live stream delivers: an event, or a heartbeat to write as a comment.
public enum LiveItem: Sendable {
    case event(AgentEvent)
    case heartbeat
}

/// The latest events in memory (for the API when there is no store) and the live stream's
/// subscribers. A slow subscriber loses its oldest undelivered events, never slows collectors.
public final class EventHub: Sendable {
    private let recentEvents = Mutex(RecentEvents())
    private let subscribers = Mutex<[UUID: AsyncStream<LiveItem>.Continuation]>([:])
    /// Set by `finish()`: later subscribers get a stream that has already ended.
    private let finished = Atomic<Bool>(false)
    let capacity: Int

    init(capacity: Int = 2000) { self.capacity = capacity }

    func publish(_ events: [AgentEvent]) {
        recentEvents.locked { r in for e in events { r.append(e, capacity: capacity) } }
        let live = subscribers.locked { Array($0.values) }
        for c in live { for e in events { c.yield(.event(e)) } }
    }

    /// Sends every subscriber a heartbeat (the stream writes a comment line): a client that
    /// went away is noticed at the write, also when no event matches its filter.
    func heartbeat() {
        let live = subscribers.locked { Array($0.values) }
        for c in live { c.yield(.heartbeat) }
    }

    /// A live stream of events from now on; it ends when the agent stops or the task reading
    /// it is cancelled.
    public func subscribe(buffer: Int = 10_000) -> AsyncStream<LiveItem> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<LiveItem>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.locked { $0.removeValue(forKey: id) }
        }
        let added = subscribers.locked { s -> Bool in
            guard !finished.load(ordering: .relaxed) else { return false }
            s[id] = continuation
            return true
        }
        if !added { continuation.finish() }
        return stream
    }

    var subscriberCount: Int { subscribers.locked { $0.count } }

    /// The latest events matching `query`, newest first.
    func recent(_ query: EventQuery) -> [AgentEvent] {
        recentEvents.locked { r in
            var out: [AgentEvent] = []
            for i in 0..<r.items.count {
                let e = r.newest(i)
                guard query.matches(e) else { continue }
                out.append(e)
                if out.count >= query.limit { break }
            }
            return out
        }
    }

    func finish() {
        let all = subscribers.locked { s -> [AsyncStream<LiveItem>.Continuation] in
            finished.store(true, ordering: .relaxed)
            let v = Array(s.values)
            s.removeAll()
            return v
        }
        for c in all { c.finish() }
    }
}

/// The hub's latest events in a circle of `capacity`: once full, each new event takes the
/// oldest one's place (nothing moves; removing from the front of an array copied the whole
/// window at every publish).
struct RecentEvents {
    private(set) var items: [AgentEvent] = []
    /// Where the next event goes once full: the oldest one.
    private var next = 0

    mutating func append(_ e: AgentEvent, capacity: Int) {
        if items.count < capacity {
            items.append(e)
        } else if capacity > 0 {
            items[next] = e
            next = (next + 1) % capacity
        }
    }

    /// The `i`-th newest event (0 is the latest); `i` < `items.count`.
    func newest(_ i: Int) -> AgentEvent {
        let n = items.count
        return items[((next - 1 - i) % n + n) % n]
    }
}
