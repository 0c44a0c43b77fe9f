import Synchronization

/// An attachment of one program to every site of a USDT probe: one uprobe_multi `Link` for all
/// sites (a program loaded with `BPF_TRACE_UPROBE_MULTI`, see `USDTAttacher`) or one uprobe
/// `Link` per site, and the `__bpf_usdt_specs` entries those sites read. Closing it (`close()`, `detach()` or deinit)
/// detaches every site, which also drops the kernel's increment of each probe semaphore, and
/// returns the spec ids for reuse (libbpf's `bpf_link_usdt`).
public final class USDTLink: Sendable, CustomStringConvertible {
    struct State: Sendable {
        var links: [Link]
        var specIDs: [Int]
        /// `__bpf_usdt_ip_to_spec_id` keys to remove on close (kernels without BPF cookies).
        var ipKeys: [UInt64]
    }

    let state: Mutex<State>
    let specsMapID: UInt32
    let ipMap: Map?

    /// The binary the probe is in.
    public let binary: String
    /// The probe's provider.
    public let provider: String
    /// The probe's name.
    public let name: String
    /// The probe's sites, in note order.
    public let sites: [USDTProbeSite]
    /// The spec id (`bpf_get_attach_cookie()` value) of each site, parallel to `sites`; sites
    /// whose argument strings are equal share one id.
    public let siteSpecIDs: [Int]

    init(binary: String, provider: String, name: String, sites: [USDTProbeSite], siteSpecIDs: [Int],
         links: [Link], specIDs: [Int], specsMapID: UInt32, ipMap: Map?, ipKeys: [UInt64]) {
        self.binary = binary
        self.provider = provider
        self.name = name
        self.sites = sites
        self.siteSpecIDs = siteSpecIDs
        self.specsMapID = specsMapID
        self.ipMap = ipMap
        state = Mutex(State(links: links, specIDs: specIDs, ipKeys: ipKeys))
    }

    deinit { close() }

    /// The uprobe_multi link, or the per-site uprobe links (empty once closed).
    public var links: [Link] { state.locked { $0.links } }

    /// Whether the probe is still attached.
    public var isOpen: Bool { state.locked { !$0.links.isEmpty } }

    /// Detaches every site now (idempotent).
    public func close() {
        let taken = state.locked { s -> State in
            let t = s
            s = State(links: [], specIDs: [], ipKeys: [])
            return t
        }
        for link in taken.links { link.close() }
        if let ipMap {
            for key in taken.ipKeys { _ = try? ipMap.delete(key: USDTAttacher.littleEndianBytes(key)) }
        }
        USDTSpecIDPool.release(taken.specIDs, mapID: specsMapID)
    }

    /// Moves every site into one `Link` (what `BPFObject.attach(_:)` and `attachUSDT` return):
    /// the first site's link, which closes the other sites' links and gives the spec ids back
    /// when it is closed or released. This `USDTLink` is empty afterwards. Nil if it is closed.
    public func mergedLink() -> Link? {
        let taken = state.locked { s -> State in
            let t = s
            s = State(links: [], specIDs: [], ipKeys: [])
            return t
        }
        guard let primary = taken.links.first else { return nil }
        let others = Array(taken.links.dropFirst())
        let mapID = specsMapID, ipMap = ipMap
        primary.onClose {
            for link in others { link.close() }
            if let ipMap {
                for key in taken.ipKeys { _ = try? ipMap.delete(key: USDTAttacher.littleEndianBytes(key)) }
            }
            USDTSpecIDPool.release(taken.specIDs, mapID: mapID)
        }
        return primary
    }

    /// Same as `close()`: perf-event uprobe links cannot be detached while kept open.
    public func detach() { close() }

    public var description: String {
        "USDTLink(\(provider):\(name) in \(binary), \(sites.count) site\(sites.count == 1 ? "" : "s")\(isOpen ? "" : ", closed"))"
    }
}
