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
        /// OpenSSL's internal write and read, standing for the public functions (`TLSShortcut`).
        case opensslWriteInner, opensslReadInner
    }

    /// A library and what was attached in it.
    public struct Attachment: Sendable {
        public var library: TLSLibrary
        /// The functions probed (entry and return).
        public var functions: [String]
        /// Public functions seen through the internal function they call (`TLSShortcut`), as
        /// "SSL_read_ex, SSL_read at +0x35290".
        public var shortcuts: [String] = []
    }

    let entries: [Role: UprobeProgram]
    let returnProgram: UprobeProgram
    /// `payload_callers`: which public function a call of an internal one came from.
    let callers: HashMap<Int64, UInt32>?

    struct State: ~Copyable {
        var links: [Link] = []
        var files: Set<FileIdentity> = []
        var attachments: [Attachment] = []
        var seenPIDs: Set<Int32> = []
        /// Programs already checked for a static TLS library.
        var checkedPrograms: Set<FileIdentity> = []
    }
    let state = Mutex(State())

    init(entries: [Role: UprobeProgram], returnProgram: UprobeProgram, callers: HashMap<Int64, UInt32>? = nil) {
        self.entries = entries
        self.returnProgram = returnProgram
        self.callers = callers
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
        // The file is opened once, for every function's address and for the shortcut's code.
        let path = try BinaryPathResolver.system.resolve(library.path)
        let elf = try ExecutableELF(path: path)
        var targets: [String: UprobeTarget] = [:]
        for (symbol, _) in library.functions {
            do throws(BPFError) {
                let function = try UprobeFunctionResolver.resolve(symbol, in: elf, path: path)
                targets[symbol] = UprobeTarget(path: path, fileOffset: function.fileOffset, symbol: function.symbol)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        var sites: [(symbols: [String], role: Role, target: UprobeTarget)] = []
        var covered: Set<String> = []
        var shortcuts: [String] = []
        for shortcut in shortcutPlans(library, elf: elf, path: path, targets) {
            sites.append((shortcut.plan.symbols, shortcut.role, shortcut.target))
            covered.formUnion(shortcut.plan.symbols)
            shortcuts.append(shortcut.plan.symbols.joined(separator: ", ") + " at +0x" + String(shortcut.plan.fileOffset, radix: 16))
        }
        for (symbol, role) in library.functions where !covered.contains(symbol) {
            if let target = targets[symbol] { sites.append(([symbol], role, target)) }
        }
        for site in sites {
            guard let entry = entries[site.role] else { continue }
            do throws(BPFError) {
                // The return probe first: an entry without its return would leave calls pending.
                links.append(try returnProgram.attach(target: site.target))
                links.append(try entry.attach(target: site.target))
                functions += site.symbols
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        guard !functions.isEmpty else {
            for link in links { link.close() }
            throw firstError ?? .missing("\(library.path) has none of the \(library.kind.rawValue) functions probed")
        }
        let order = library.functions.map(\.symbol)
        functions.sort { (order.firstIndex(of: $0) ?? order.count) < (order.firstIndex(of: $1) ?? order.count) }
        let attachment = Attachment(library: library, functions: functions, shortcuts: shortcuts)
        let added: Bool = state.locked { s in
            guard s.files.insert(id).inserted else { return false }
            s.links += links
            s.attachments.append(attachment)
            return true
        }
        if !added { for link in links { link.close() } }
        return added ? attachment : nil
    }

    /// The internal OpenSSL functions to probe in place of the public ones (`TLSShortcut`), with
    /// their callers recorded in `payload_callers`; none where the code does not match, the
    /// programs or the map are missing, or this is not x86-64.
    func shortcutPlans(_ library: TLSLibrary, elf: ExecutableELF, path: String, _ targets: [String: UprobeTarget])
        -> [(plan: TLSShortcut.Plan, role: Role, target: UprobeTarget)] {
        #if arch(x86_64)
        guard library.kind == .openssl, let callers, elf.machine == 62 /* EM_X86_64 */ else { return [] }
        func function(_ symbol: String, _ code: UInt32) -> TLSShortcut.Function? {
            guard let t = targets[symbol] else { return nil }
            let size = Int(min(max(t.symbol?.size ?? 64, 16), 512))
            guard let bytes = try? elf.bytes(atFileOffset: t.fileOffset, count: size) else { return nil }
            return TLSShortcut.Function(symbol: symbol, code: code, fileOffset: t.fileOffset, bytes: bytes)
        }
        var out: [(plan: TLSShortcut.Plan, role: Role, target: UprobeTarget)] = []
        // PAYLOAD_FN_SSL_WRITE 1, _SSL_READ 2, _SSL_WRITE_EX 3, _SSL_READ_EX 4 (swiftbpf_payload.h).
        for (ex, exCode, plain, plainCode, role) in [("SSL_write_ex", UInt32(3), "SSL_write", UInt32(1), Role.opensslWriteInner),
                                                     ("SSL_read_ex", 4, "SSL_read", 2, .opensslReadInner)] {
            guard entries[role] != nil, let exFunction = function(ex, exCode) else { continue }
            let plan = TLSShortcut.plan(ex: exFunction, plain: function(plain, plainCode)) { offset in
                // Only within the public function's own segment, where file offsets and
                // addresses differ by the same amount.
                guard let a = elf.virtualAddress(ofFileOffset: exFunction.fileOffset), let b = elf.virtualAddress(ofFileOffset: offset),
                      Int64(bitPattern: b &- a) == Int64(bitPattern: offset &- exFunction.fileOffset) else { return nil }
                return try? elf.bytes(atFileOffset: offset, count: 8)
            }
            guard let plan else { continue }
            do throws(BPFError) {
                for caller in plan.callers { try callers.update(key: caller.delta, value: caller.function) }
            } catch {
                continue   // the map is full: the public functions are probed instead
            }
            out.append((plan, role, UprobeTarget(path: path, fileOffset: plan.fileOffset)))
        }
        return out
        #else
        return []
        #endif
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
