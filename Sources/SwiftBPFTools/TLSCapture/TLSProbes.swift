import BPF
import Synchronization

/// The uprobe programs of `swiftbpf_payload.h` (in sslsniff.bpf.c and http.bpf.c alike), and
/// their attachments to TLS libraries. Every probed function gets its entry program and the
/// shared return program `tls_call_return`. Attachments are kept here and detach when this
/// is released.
public final class TLSProbes: Sendable {
    /// Which entry program a function gets.
    public enum Role: Sendable, Hashable {
        case opensslWrite, opensslRead, opensslWriteEx, opensslReadEx, opensslHandshake
        case gnutlsSend, gnutlsRecv, gnutlsHandshake
    }

    /// A library and what was attached in it.
    public struct Attachment: Sendable {
        public var library: TLSLibrary
        /// The functions probed (entry and return).
        public var functions: [String]
    }

    let entries: [Role: UprobeProgram]
    let returnProgram: UprobeProgram

    struct State: ~Copyable {
        var links: [Link] = []
        var files: Set<FileIdentity> = []
        var attachments: [Attachment] = []
        var seenPIDs: Set<Int32> = []
        /// Programs already checked for a static TLS library.
        var checkedPrograms: Set<FileIdentity> = []
    }
    let state = Mutex(State())

    init(entries: [Role: UprobeProgram], returnProgram: UprobeProgram) {
        self.entries = entries
        self.returnProgram = returnProgram
    }

    /// What is attached so far.
    public var attachments: [Attachment] { state.locked { $0.attachments } }

    /// Attaches to `library` unless the same file is attached already. Returns the attachment,
    /// nil if the file was already probed.
    /// - Throws: when the file cannot be read or has none of the library's functions.
    @discardableResult
    public func attach(_ library: TLSLibrary) throws(BPFError) -> Attachment? {
        guard let id = FileIdentity(path: library.path) else {
            throw .missing("TLS library \(library.path): no such file")
        }
        if state.locked({ $0.files.contains(id) }) { return nil }
        var links: [Link] = []
        var functions: [String] = []
        var firstError: BPFError?
        for (symbol, role) in library.functions {
            guard let entry = entries[role] else { continue }
            do throws(BPFError) {
                let target = try UprobeTarget.resolve(binary: library.path, symbol: symbol)
                // The return probe first: an entry without its return would leave calls pending.
                links.append(try returnProgram.attach(target: target))
                links.append(try entry.attach(target: target))
                functions.append(symbol)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        guard !functions.isEmpty else {
            throw firstError ?? .missing("\(library.path) has none of the \(library.kind.rawValue) functions probed")
        }
        let attachment = Attachment(library: library, functions: functions)
        let added: Bool = state.locked { s in
            guard s.files.insert(id).inserted else { return false }
            s.links += links
            s.attachments.append(attachment)
            return true
        }
        if !added { for link in links { link.close() } }
        return added ? attachment : nil
    }

    /// Attaches to every library in `libraries` it can; returns those attached and the errors of
    /// the others.
    public func attach(_ libraries: [TLSLibrary]) -> (attached: [Attachment], failed: [(TLSLibrary, BPFError)]) {
        var attached: [Attachment] = []
        var failed: [(TLSLibrary, BPFError)] = []
        for library in libraries {
            do throws(BPFError) {
                if let a = try attach(library) { attached.append(a) }
            } catch {
                failed.append((library, error))
            }
        }
        return (attached, failed)
    }

    /// Looks at processes not seen before (their mapped TLS libraries, and their program if it
    /// links one statically) and attaches to what is new: covers libraries outside the
    /// linker's cache (containers, bundled copies) in processes started after the tool.
    /// `only` limits the scan to one process. Programs are searched for a statically linked
    /// library only when `checkStatic` (default: only for one process: searching the symbol
    /// tables of every program on a machine takes seconds).
    public func followNewProcesses(only pid: Int32? = nil, checkStatic: Bool? = nil) -> [Attachment] {
        let checkStatic = checkStatic ?? (pid != nil)
        let pids = pid.map { [$0] } ?? TLSLibraryFinder.processIDs()
        let fresh: [Int32] = state.locked { s in pids.filter { s.seenPIDs.insert($0).inserted } }
        var libraries: [TLSLibrary] = []
        for p in fresh {
            guard let maps = try? Syscalls.readFile("/proc/\(p)/maps") else { continue }
            libraries += TLSLibraryFinder.libraries(inMaps: maps, root: "/proc/\(p)/root")
            guard checkStatic, let exe = FileIdentity(path: "/proc/\(p)/exe"),
                  state.locked({ $0.checkedPrograms.insert(exe).inserted }) else { continue }
            if let lib = TLSLibraryFinder.staticLibrary(ofProcess: p) { libraries.append(lib) }
        }
        return attach(libraries).attached
    }

    /// Detaches everything.
    public func close() {
        let links = state.locked { s -> [Link] in
            let l = s.links
            s.links = []
            return l
        }
        for link in links { link.close() }
    }
}
