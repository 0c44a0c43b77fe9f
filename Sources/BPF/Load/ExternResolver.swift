/// The object's externs resolved against the running kernel, as libbpf's
/// `bpf_object__resolve_externs()` does at load, before maps are created:
/// - `.kconfig` variables: the image of the `.kconfig` map (`LINUX_KERNEL_VERSION`, the
///   `LINUX_HAS_*` feature probes, `CONFIG_*` from `/boot/config-$(uname -r)` or `/proc/config.gz`);
/// - typed `__ksym` variables and kfuncs: kernel BTF ids (vmlinux only; module BTFs are not
///   searched yet);
/// - typeless `__ksym` variables (`extern const void x __ksym`): addresses from `/proc/kallsyms`.
struct ResolvedExterns {
    /// The initial value of the `.kconfig` map, if the object has one.
    var kconfigImage: [UInt8]?
    /// Typed ksyms and kfuncs found in kernel BTF, by extern name.
    var ksyms: [String: KsymResolution] = [:]
    /// Typeless ksym addresses from kallsyms, by extern name.
    var addresses: [String: UInt64] = [:]

    static let none = ResolvedExterns()

    /// Resolves every extern of `spec`. Unresolved weak externs read as 0; unresolved strong
    /// ones are an error naming the extern.
    static func resolve(_ spec: ObjectSpec, options: LoadOptions) throws(BPFError) -> ResolvedExterns {
        var result = ResolvedExterns()
        guard !spec.externs.isEmpty else { return result }

        if spec.kconfigMap != nil {
            let inputs = KconfigInputs(kernelVersion: KernelVersion.running, hasBPFCookie: KernelExternFacts.hasBPFCookie,
                                       hasSyscallWrapper: KernelExternFacts.hasSyscallWrapper, extraConfig: options.kconfig)
            result.kconfigImage = try spec.kconfigImage(inputs) { () throws(BPFError) -> String in
                try KernelExternFacts.kernelConfig()
            }
        }

        let ksymExterns = spec.externs.compactMap { e -> (ExternSpec, UInt32)? in
            if case let .ksym(typeID, _) = e.kind { return (e, typeID) }
            return nil
        }
        if ksymExterns.contains(where: { $0.1 == 0 }) {
            let wanted = Set(ksymExterns.compactMap { e, _ -> [UInt8]? in
                if case .ksym(_, false) = e.kind { return Array(e.name.utf8) }
                return nil
            })
            let text = Self.kallsymsLines(try Syscalls.readFile("/proc/kallsyms"), naming: wanted)
            result.addresses = try spec.resolveTypelessKsyms(kallsyms: text)
            for (ext, type) in ksymExterns where type == 0 && !ext.isWeak && result.addresses[ext.name] == nil {
                throw .missing("extern (ksym) '\(ext.name)': not found in /proc/kallsyms (strong extern, not resolved)")
            }
        }
        if ksymExterns.contains(where: { $0.1 != 0 }) {
            let vmlinux = try BTF.kernel()  // kernel ids, whatever BTF CO-RE used (libbpf's btf_vmlinux)
            result.ksyms = try spec.resolveKsyms(vmlinux: vmlinux) { () throws(BPFError) -> [BTF] in
                try KernelExternFacts.moduleBTFs(base: vmlinux)
            }
            for (name, r) in result.ksyms where r.moduleIndex != nil {
                throw .notSupported(feature: "extern '\(name)' found in a kernel module's BTF",
                                    reason: "SwiftBPF resolves ksyms and kfuncs in vmlinux only (module BTF objects in fd_array are not implemented)")
            }
        }
        return result
    }

    /// The lines of kallsyms text whose name field (before any `.llvm.` suffix) is in `names`:
    /// /proc/kallsyms has over 100,000 lines, and only these matter to `resolveTypelessKsyms`.
    static func kallsymsLines(_ bytes: [UInt8], naming names: Set<[UInt8]>) -> String {
        let llvm = Array(".llvm.".utf8)
        let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        var kept: [UInt8] = []
        bytes.withUnsafeBufferPointer { b in
            var start = 0
            while start < b.count {
                var end = start
                while end < b.count && b[end] != newline { end += 1 }
                // "address type name[\tmodule]": the name is the third space-separated field.
                var field = 0, i = start
                while i < end && field < 2 {
                    if b[i] == space {
                        field += 1
                        while i + 1 < end && b[i + 1] == space { i += 1 }
                    }
                    i += 1
                }
                var keep = field < 2  // malformed: kept, so the parser reports it
                if !keep {
                    var nameEnd = i
                    while nameEnd < end && b[nameEnd] != space && b[nameEnd] != tab { nameEnd += 1 }
                    var cut = nameEnd
                    var k = i
                    while k + llvm.count <= nameEnd {
                        if b[k] == llvm[0] && b[k + 1] == llvm[1] && b[k + 2] == llvm[2]
                            && b[k + 3] == llvm[3] && b[k + 4] == llvm[4] && b[k + 5] == llvm[5] {
                            cut = k
                            break
                        }
                        k += 1
                    }
                    keep = names.contains(Array(UnsafeBufferPointer(rebasing: b[i..<cut])))
                }
                if keep {
                    kept.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<end]))
                    kept.append(newline)
                }
                start = end + 1
            }
        }
        return String(decoding: kept, as: UTF8.self)
    }

    /// Patches the `.external(name)` reference at `index` of `insns`, as libbpf's
    /// `bpf_object__relocate_data()` does for `RELO_EXTERN_VAR` / `RELO_EXTERN_FUNC`.
    func patch(_ insns: inout [Instruction], at index: Int, extern name: String, spec: ObjectSpec,
               maps: [String: Map], program: String) throws(BPFError) {
        guard let externIndex = spec.externs.firstIndex(where: { $0.name == name }) else {
            throw .malformedObject("program '\(program)': instruction \(index) refers to undefined symbol '\(name)', which is no .kconfig or .ksyms extern")
        }
        let ext = spec.externs[externIndex]
        if insns[index].isCall {
            guard case .ksym(_, true) = ext.kind else {
                throw .malformedObject("program '\(program)': call at instruction \(index) to extern '\(name)', which is not a kernel function")
            }
            if let r = ksyms[name] {
                insns[index].src = Opcode.pseudoKfuncCall
                insns[index].imm = Int32(bitPattern: r.btfID)
                insns[index].offset = 0  // fd_array index: 0 = vmlinux
            } else {
                // Unresolved weak kfunc: current libbpf's poison_kfunc_call(), which the
                // verifier accepts only as dead code (guarded by bpf_ksym_exists()).
                insns[index] = Instruction(opcode: Opcode.call, imm: Int32(Self.poisonedKfuncBase) &+ Int32(truncatingIfNeeded: externIndex))
            }
            return
        }
        guard insns[index].isLoadImm64, index + 1 < insns.count else {
            throw .malformedObject("program '\(program)': extern '\(name)' is referenced at instruction \(index), which is not an ld_imm64")
        }
        switch ext.kind {
        case let .kconfig(_, _, _, _, offset):
            guard let mapSpec = spec.kconfigMap, let map = maps[mapSpec.name] else {
                throw .missing("the .kconfig map for extern '\(name)' of program '\(program)'")
            }
            insns[index].src = Opcode.pseudoMapValue
            insns[index].imm = map.fd
            insns[index + 1].imm = Int32(truncatingIfNeeded: offset)
        case let .ksym(typeID, _):
            if typeID != 0, let r = ksyms[name] {
                insns[index].src = Opcode.pseudoBTFID
                insns[index].imm = Int32(bitPattern: r.btfID)
                insns[index + 1].imm = 0  // module BTF fd: 0 = vmlinux
            } else {
                // Typeless ksym (kallsyms address), or an unresolved weak one (0).
                let address = typeID == 0 ? addresses[name] ?? 0 : 0
                insns[index].imm = Int32(bitPattern: UInt32(truncatingIfNeeded: address))
                insns[index + 1].imm = Int32(bitPattern: UInt32(truncatingIfNeeded: address >> 32))
            }
        }
    }
}

extension ResolvedExterns {
    /// The `imm` of a call to an unresolved `__weak` kfunc: current libbpf's
    /// `POISON_CALL_KFUNC_BASE`, plus the extern's index.
    static let poisonedKfuncBase: Int64 = 2_002_000_000

    /// Explains a verifier log that reached a poisoned kfunc call ("invalid func
    /// unknown#2002000000"), naming the kfunc as libbpf's log fix-up does.
    static func explainPoisonedKfunc(in log: String, spec: ObjectSpec) -> String? {
        guard let range = log.firstRange(of: "unknown#2002") else { return nil }
        let digits = log[range.lowerBound...].dropFirst("unknown#".count).prefix { $0.isNumber }
        guard let imm = Int64(digits), imm >= poisonedKfuncBase, imm - poisonedKfuncBase < Int64(spec.externs.count) else { return nil }
        let name = spec.externs[Int(imm - poisonedKfuncBase)].name
        return "the program calls kfunc '\(name)', which is declared __weak and missing from this kernel; guard the call with bpf_ksym_exists(\(name))"
    }
}

/// Kernel facts behind `.kconfig` externs, probed once per process.
enum KernelExternFacts {
    /// `LINUX_HAS_BPF_COOKIE`: libbpf's `probe_kern_bpf_cookie()`, a kprobe-type program calling
    /// `bpf_get_attach_cookie` (helper 174, Linux 5.15).
    static let hasBPFCookie: Bool = {
        let body = [Instruction.call(helper: .getAttachCookie), Instruction.exit()]
        return (try? Program.load(Features.trivialProgram(.kprobe, body: body))) != nil
    }()

    /// `LINUX_HAS_SYSCALL_WRAPPER`: libbpf's `probe_kern_syscall_wrapper()`, whether a kprobe on
    /// the architecture's syscall wrapper (`__x64_sys_bpf` on x86_64) can be created through the
    /// `kprobe` perf PMU. Without that PMU (no CONFIG_KPROBES), libbpf falls back to tracefs
    /// `kprobe_events`, which such kernels lack as well; SwiftBPF reads that case as 0 directly.
    static let hasSyscallWrapper: Bool = {
        #if arch(x86_64)
        let prefix: String? = "x64"
        #elseif arch(arm64)
        let prefix: String? = "arm64"
        #elseif arch(s390x)
        let prefix: String? = "s390x"
        #else
        let prefix: String? = nil
        #endif
        guard let prefix else { return false }
        return (try? PerfEvent.openProbe(pmu: "kprobe", target: "__\(prefix)_sys_bpf", offset: 0, retprobe: false)) != nil
    }()

    /// The running kernel's config text: `/boot/config-$(uname -r)`, else `/proc/config.gz`
    /// (libbpf's `bpf_object__read_kconfig_file()`).
    static func kernelConfig() throws(BPFError) -> String {
        let boot = "/boot/config-" + Syscalls.kernelRelease()
        if Syscalls.exists(boot) {
            return String(decoding: try Syscalls.readFile(boot), as: UTF8.self)
        }
        guard Syscalls.exists("/proc/config.gz") else {
            throw .missing("kernel config: neither \(boot) nor /proc/config.gz exists (needed for CONFIG_* externs)")
        }
        let bytes = try Syscalls.readFile("/proc/config.gz")
        do {
            return String(decoding: try Gzip.decompress(bytes), as: UTF8.self)
        } catch {
            throw .malformedObject("/proc/config.gz: \(error)")
        }
    }

    /// Module BTFs searched after vmlinux. Not read yet (listing `/sys/kernel/btf` needs a
    /// directory wrapper in Sources/BPF/System, and a match there needs the module's BTF fd in
    /// `fd_array`): ksyms and kfuncs resolve in vmlinux only.
    static func moduleBTFs(base: BTF) throws(BPFError) -> [BTF] { [] }
}
