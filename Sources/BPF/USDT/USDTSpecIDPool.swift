import Synchronization

/// Hands out keys of a `__bpf_usdt_specs` map (libbpf's `usdt_manager` spec id accounting):
/// small sequential integers, reusing those that closed attachments gave back. State is kept per
/// map, by the map's kernel id (unique while the map lives), so every attachment through the
/// same loaded object shares one numbering, whatever Swift value it started from.
enum USDTSpecIDPool {
    struct State {
        var next = 0
        var free: [Int] = []
    }

    static let states = Mutex<[UInt32: State]>([:])

    /// Reserves `count` ids of the map `mapID` whose capacity is `capacity`.
    /// - Throws: `.invalidArgument` naming `BPF_USDT_MAX_SPEC_CNT` when the map is full.
    static func allocate(_ count: Int, mapID: UInt32, capacity: Int) throws(BPFError) -> [Int] {
        let result: Result<[Int], BPFError> = states.locked { all in
            var s = all[mapID] ?? State()
            let available = s.free.count + max(capacity - s.next, 0)
            guard available >= count else {
                return .failure(.invalidArgument(
                    "the USDT spec map __bpf_usdt_specs (\(capacity) entries) has \(available) free, \(count) needed; define BPF_USDT_MAX_SPEC_CNT larger before including <bpf/usdt.bpf.h>"))
            }
            var ids: [Int] = []
            while ids.count < count, let id = s.free.popLast() { ids.append(id) }
            while ids.count < count {
                ids.append(s.next)
                s.next += 1
            }
            all[mapID] = s
            return .success(ids)
        }
        return try result.get()
    }

    /// Gives ids back for later attachments.
    static func release(_ ids: [Int], mapID: UInt32) {
        guard !ids.isEmpty else { return }
        states.locked { all in
            all[mapID, default: State()].free.append(contentsOf: ids)
        }
    }
}
