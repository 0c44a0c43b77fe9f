import BPF
import Glibc

/// A guard that stays loaded after the command that loaded it exits, pinned on bpffs (see
/// `GuardPinLocation`), as the firewall is: `install` loads and pins it, `GuardStatus.pinned`
/// reads its counters back from the pins, `uninstall` removes it.
///
/// A pinned guard enforces with nobody reading its events: kill and deny act in the kernel, the
/// counters count, and the alerts fill its ring buffer and are then counted as lost.
public enum PinnedGuard {
    /// What `install` did.
    public struct Installed: Sendable {
        public var location: GuardPinLocation
        /// Pins made (maps, programs, links).
        public var pins: Int
        /// Tracepoints this kernel does not have (their calls do not exist here).
        public var unavailable: [String]
        /// What this kernel allows (BPF LSM or not), as probed.
        public var enforcement: GuardEnforcement
    }

    /// The ring buffer of a pinned guard: nobody reads it, so it only needs to hold the alerts
    /// of a later reader's first poll.
    public static let ringBufferSize: UInt32 = 256 * 1024

    /// Loads `policy` and pins it as `name` under `root`. All or nothing: on any error every pin
    /// and folder made is removed, and the programs detach as the session is released.
    /// - Throws: `GuardPinError` naming the cause: an empty policy, a root not on bpffs, a name
    ///   already in use (by a guard, or by another tool's pins: never touched), or the kernel's
    ///   refusal (which names the call).
    public static func install(policy: CompiledGuardPolicy, name: String, cgroupRoot: String? = nil,
                               root: String = GuardPinLocation.defaultRoot) throws(GuardPinError) -> Installed {
        let location = try GuardPinLocation(name: name, root: root)
        guard !policy.rules.isEmpty else {
            throw GuardPinError("the policy has no rules: a pinned guard with nothing to enforce would only cost every exec and open")
        }
        try location.requireBPFFilesystem()
        if location.exists {
            if location.holdsGuard {
                throw GuardPinError("a guard named '\(name)' is already loaded (pinned at \(location.directory)); unload it first or choose another name")
            }
            throw GuardPinError("\(location.directory) exists and does not hold a guard (another tool's pins?); it is left as it is: choose another name")
        }
        var options = GuardSession.Options()
        // Only what a rule matches goes to the ring buffer: lifecycle events nobody reads
        // would fill it at once. The kernel keeps its process cache from them all the same.
        options.report = []
        options.ringBufferSize = ringBufferSize
        options.cgroupRoot = cgroupRoot
        options.exemptSelf = false
        let session: GuardSession
        do {
            session = try GuardSession(policy: policy, options: options)
        } catch {
            throw GuardPinError("cannot load the guard: \(error)")
        }
        defer { session.stop() }
        do {
            try location.makeDirectories()
        } catch {
            // mkdir(ROOT/NAME) failing with EEXIST means someone made it meanwhile: not ours to remove.
            if case let .syscall(_, e) = error, e.rawValue == EEXIST {
                throw GuardPinError("\(location.directory) appeared while loading (another load of '\(name)'?); it is left as it is")
            }
            location.removeAll()
            throw GuardPinError("cannot make the pin directory \(location.directory): \(error)")
        }
        do {
            let pins = try session.pin(at: location)
            return Installed(location: location, pins: pins, unavailable: session.unavailable, enforcement: session.enforcement)
        } catch {
            location.removeAll()
            throw GuardPinError("cannot pin the guard at \(location.directory): \(error)")
        }
    }

    /// What `uninstall` removed.
    public struct Removed: Sendable {
        public var location: GuardPinLocation
        /// The pins removed, as `folder/name`.
        public var pins: [String]
        /// Programs of the guard still in the kernel after the wait: another process holds
        /// them (a descriptor of a link or program). Empty when everything was freed.
        public var stillLoaded: [UInt32]
    }

    /// Removes the pinned guard `name` under `root`: its links first (enforcement stops), then
    /// its programs and maps, and waits (up to `timeout` seconds) until the kernel has freed the
    /// programs: the last reference of a link is dropped from a work queue, so the attachments
    /// stay for a moment after the pins are gone.
    /// - Throws: `GuardPinError` when nothing is pinned under that name, or when the directory
    ///   is not a guard's (then it is not touched).
    @discardableResult
    public static func uninstall(name: String, root: String = GuardPinLocation.defaultRoot, timeout: Double = 5) throws(GuardPinError) -> Removed {
        let location = try GuardPinLocation(name: name, root: root)
        guard location.exists else {
            let others = GuardPinLocation.installed(root: root).map(\.name)
            throw GuardPinError("no guard named '\(name)' is loaded (nothing at \(location.directory))" +
                                (others.isEmpty ? "" : "; loaded: \(others.joined(separator: ", "))"))
        }
        guard location.holdsGuard else {
            throw GuardPinError("\(location.directory) does not hold a guard (another tool's pins?); it is left as it is")
        }
        let programs = location.pinnedProgramIDs()
        let pins = location.removeAll()
        if location.exists {
            throw GuardPinError("removed \(pins.count) pins, but \(location.directory) is not empty: something else was pinned there")
        }
        // BPF_PROG_GET_NEXT_ID walks the ids without taking a reference (opening by id would).
        var left = programs
        for _ in 0...max(0, Int(timeout * 100)) {
            left.formIntersection((try? Program.allIDs()) ?? [])
            if left.isEmpty { break }
            usleep(10_000)
        }
        return Removed(location: location, pins: pins, stillLoaded: left.sorted())
    }

    /// Removes every pinned guard under `root`.
    /// - Throws: `GuardPinError` when none is loaded.
    public static func uninstallAll(root: String = GuardPinLocation.defaultRoot) throws(GuardPinError) -> [Removed] {
        let all = GuardPinLocation.installed(root: root)
        guard !all.isEmpty else { throw GuardPinError("no guard is loaded (nothing pinned under \(root))") }
        var removed: [Removed] = []
        for location in all { removed.append(try uninstall(name: location.name, root: root)) }
        return removed
    }
}
