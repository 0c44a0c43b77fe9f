import Synchronization

/// A target type a local type may relocate to: a type id of the main target BTF
/// (`module == nil`) or of one of the module BTFs (`module` indexes `CORERelocator.modules`).
struct CORECandidate: Sendable, Hashable, CustomStringConvertible {
    var module: Int?
    var id: UInt32

    var description: String { module.map { "[\(id)] in module BTF #\($0)" } ?? "[\(id)]" }
}

/// Target candidates per local root type id, shared by every relocation of one relocator
/// (libbpf's `cand_cache`). A list shrinks to the candidates that matched once some relocation
/// found at least one match, as libbpf prunes its cached list.
final class CORECandidateCache: Sendable {
    private let lists = Mutex<[UInt32: [CORECandidate]]>([:])

    /// The cached candidates of `localID`, computing them with `search` on first use.
    func candidates(for localID: UInt32, search: () -> [CORECandidate]) -> [CORECandidate] {
        if let hit = lists.locked({ $0[localID] }) { return hit }
        let found = search()
        return lists.locked { cache in
            if let hit = cache[localID] { return hit }
            cache[localID] = found
            return found
        }
    }

    /// Keeps only `matched` for `localID` (called when at least one candidate matched).
    func prune(_ localID: UInt32, to matched: [CORECandidate]) {
        lists.locked { $0[localID] = matched }
    }

    /// The cached list of `localID`, if any (for tests and diagnostics).
    func cached(_ localID: UInt32) -> [CORECandidate]? { lists.locked { $0[localID] } }

    /// Number of local types with a cached list (for tests).
    var count: Int { lists.locked { $0.count } }
}
