import Glibc

extension GuardEvent {
    /// Decodes a ring-buffer record of guard_kernel.bpf.c (`struct guard_event`, read through the
    /// generated `GuardEventRecord`). Returns nil for a record too short or of an unknown kind.
    init?(record bytes: UnsafeRawBufferPointer, policy: CompiledGuardPolicy?) {
        guard let r = GuardEventRecord(bytes), let kind = GuardEventKind(rawValue: r.kind) else { return nil }
        let t = r.task
        let process = GuardProcess(pid: t.pid, tid: t.tid, ppid: t.ppid, uid: t.uid, gid: t.gid, comm: t.comm,
                                   binary: FileID(inode: t.exeIno, device: t.exeDev), cgroupID: t.cgroupId,
                                   startNanoseconds: t.startNs, parentStartNanoseconds: t.parentStartNs)
        self.init(timestampNanoseconds: r.timestampNs, kind: kind, process: process)
        if r.rule != UInt32.max {
            rule = Int(r.rule)
            ruleName = policy?.rules.first(where: { $0.index == Int(r.rule) })?.rule.name
        }
        action = GuardAction(rawValue: r.action) ?? .none
        enforced = r.enforced != 0
        flags = GuardEventFlags(rawValue: r.flags)
        result = r.ret
        arguments = r.arg
        if r.objIno != 0 || r.objDev != 0 { object = FileID(inode: r.objIno, device: r.objDev) }
        family = r.family
        port = r.port
        let data = r.data
        let pathSize = min(Int(r.pathSize), data.count)
        let strEnd = min(pathSize + Int(r.strSize), data.count)
        if pathSize > 0 { path = Self.joinPath(UnsafeRawBufferPointer(rebasing: data[0..<pathSize])) }
        let strings = Self.splitStrings(UnsafeRawBufferPointer(rebasing: data[pathSize..<strEnd]))
        switch kind {
        case .exec:
            filename = strings.first
            if strings.count > 1, !strings[1].isEmpty { interpreter = strings[1] }
            argv = Array(strings.dropFirst(2))
            if !flags.contains(.lsm) { self.process.binaryPath = path }
        case .connect, .bind, .sendmsg:
            address = Self.addressText(Array(r.addr), family: r.family)
        case .listen, .accept:
            // The socket's local (listen) or peer (accept) address, for inet sockets only.
            if r.family == UInt16(AF_INET) || r.family == UInt16(AF_INET6) { address = Self.addressText(Array(r.addr), family: r.family) }
        default:
            self.strings = strings
        }
    }

    /// Components arrive leaf first, each ending in NUL.
    static func joinPath(_ b: UnsafeRawBufferPointer) -> String {
        let parts = splitStrings(b)
        return "/" + parts.reversed().joined(separator: "/")
    }

    static func splitStrings(_ b: UnsafeRawBufferPointer) -> [String] {
        guard !b.isEmpty else { return [] }
        var parts = b.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if b.last == 0 { parts.removeLast() }
        return parts
    }

    static func addressText(_ a: [UInt8], family: UInt16) -> String? {
        guard a.count == 16 else { return nil }
        if family == UInt16(AF_INET) || (a[0..<10].allSatisfy { $0 == 0 } && a[10] == 0xff && a[11] == 0xff) {
            return "\(a[12]).\(a[13]).\(a[14]).\(a[15])"
        }
        var buf = [CChar](repeating: 0, count: 64)
        var addr = in6_addr()
        withUnsafeMutableBytes(of: &addr) { for i in 0..<16 { $0[i] = a[i] } }
        guard inet_ntop(AF_INET6, &addr, &buf, 64) != nil else { return nil }
        return String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
