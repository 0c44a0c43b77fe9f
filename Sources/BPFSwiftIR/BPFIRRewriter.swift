import Foundation

/// Turns the LLVM IR that Embedded Swift emits for the stand-in target `x86_64-unknown-none-elf`
/// into IR that `clang -target bpf` compiles to a libbpf-style object. Pure and deterministic:
/// the same text in gives the same text out.
///
/// Steps, each needed for the object to compile or load:
/// 1. BPF datalayout and triple; x86 CPU, feature and stack-protector attributes dropped, and
///    `noinline` (Swift puts it on the call from an `@c` thunk to the function's body).
/// 2. `swiftcc` and the `swiftself`/`swifterror`/`swiftasync` parameter attributes dropped (after
///    inlining no Swift-convention call is left between the functions that survive).
/// 3. Every function but the programs (C-named, with an explicit section) becomes `internal`,
///    without section or comdat: Embedded Swift emits its runtime into each module as
///    `weak_odr`, and `@section` also lands on the Swift-ABI twin of an `@c` function. Once
///    internal, clang's optimizer removes what no program uses.
/// 4. `@llvm.used` keeps only data (the license, maps), not functions (global addressors,
///    `_swift_exceptionPersonality`) or `_swift1_autolink_entries`.
/// 5. A program's debug signature is C's (`int (void *)`), named by its C name: Swift describes
///    `Int32` as a forward-declared struct, which the kernel refuses as a BTF return type
///    ("Invalid return type"), and libbpf then loads without BTF.
/// 6. Names: a top-level Swift global (`$e4prog7packetss6UInt64Vvp`) takes its Swift name
///    (`packets`), as C globals have theirs in `.bss`/`.data`; `$` elsewhere becomes `_`, since
///    the kernel refuses BTF names containing `$`.
/// 7. Loads of load-time constants (`const volatile` in C) become volatile, so the default
///    value the stub puts in `.rodata` is read at run time, after the loader has set it.
/// 8. Debug types: the standard library's integer and `Bool` structs become C base types
///    (`SwiftScalarDebugTypes`), so the BTF of globals and records reads as C's.
///
/// Before rewriting, every function a program reaches is scanned: a call into the Swift runtime
/// (allocation, reference counting, lazy globals), to an external function, or a trap makes the
/// rewrite throw `BPFProgramRejected` with the source line of each such call.
public struct BPFIRRewriter {
    /// The BPF target's datalayout, as clang sets it for `-target bpf`.
    public static let dataLayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"

    /// Functions with this prefix are defined in C bitcode linked by clang (BPFKernel's CO-RE
    /// accessors), not missing.
    public static let linkedFunctionPrefix = "swiftbpf_"

    /// Suffix of the user's source files, to place diagnostics in them.
    public var userSourceSuffix: String

    /// Globals every load of which must be volatile: the program's load-time constants, whose
    /// default value in `.rodata` the loader replaces before verification.
    public var volatileGlobals: Set<String>

    public init(userSourceSuffix: String = ".bpf.swift", volatileGlobals: Set<String> = []) {
        self.userSourceSuffix = userSourceSuffix
        self.volatileGlobals = volatileGlobals
    }

    /// The rewritten module text, or `BPFProgramRejected`.
    public func rewrite(_ text: String) throws -> String {
        let index = IRModuleIndex(text)
        let entries = index.functionOrder.filter { index.isEntryPoint(index.functions[$0]!) }
        guard !entries.isEmpty else {
            throw BPFProgramRejected(diagnostics: [BPFSourceDiagnostic(file: "<module>", line: 0, column: 0,
                message: "no BPF program: declare one as `@_cdecl(\"name\") @section(\"xdp\") public func ...` (a C name and a section)")])
        }
        let problems = diagnose(index)
        guard problems.isEmpty else { throw BPFProgramRejected(diagnostics: problems) }

        let renames = Self.globalRenames(index)
        var signatures = EntryDebugSignatures(index: index)
        for name in entries { signatures.add(index.functions[name]!) }
        var out: [String] = []
        out.reserveCapacity(index.lines.count)
        // Pointers into load-time constants computed in the current function (see makeLoadsVolatile).
        var derivedFromConstants: Set<String> = []
        var i = 0
        while i < index.lines.count {
            let line = index.lines[i]
            i += 1
            if line.hasPrefix("target datalayout = ") {
                out.append("target datalayout = \"\(Self.dataLayout)\"")
            } else if line.hasPrefix("target triple = ") {
                out.append("target triple = \"bpf\"")
            } else if line.hasPrefix("attributes #") {
                out.append(Self.dropTargetAttributes(String(line)))
            } else if line.hasPrefix("$"), line.hasSuffix(" = comdat any") {
                continue
            } else if line.hasPrefix("@llvm.used = ") || line.hasPrefix("@llvm.compiler.used = ") {
                if let kept = Self.keepDataOnly(line, index: index) { out.append(kept) }
            } else if line.hasPrefix("define ") {
                derivedFromConstants = []
                let name = IRModuleIndex.definedFunction(line) ?? ""
                let entry = index.functions[name].map(index.isEntryPoint) ?? false
                out.append(Self.rename(Self.dropSwiftConvention(Self.relink(String(line), entry: entry)), renames))
            } else if line.hasPrefix("@") {
                out.append(Self.rename(Self.relinkGlobal(String(line)), renames))
            } else if line.hasPrefix("!"), let basic = SwiftScalarDebugTypes.replacement(for: String(line)) {
                out.append(basic)
            } else if line.hasPrefix("!"), let replaced = signatures.replacement(for: line) {
                out.append(Self.rename(replaced, renames))
            } else {
                out.append(Self.rename(Self.makeLoadsVolatile(Self.dropSwiftConvention(String(line)), of: volatileGlobals,
                                                              derived: &derivedFromConstants), renames))
            }
        }
        // New metadata goes before the final newline.
        let trailing = out.last == "" ? out.removeLast() : nil
        out.append(contentsOf: signatures.newNodes)
        if let trailing { out.append(trailing) }
        return out.joined(separator: "\n")
    }

    // MARK: - Diagnosis

    func diagnose(_ index: IRModuleIndex) -> [BPFSourceDiagnostic] {
        let locations = IRDebugLocations(index: index, userSuffix: userSourceSuffix)
        let reachable = index.reachableFunctions()
        var found: [BPFSourceDiagnostic] = []
        var seen: Set<BPFSourceDiagnostic> = []
        func report(_ position: (file: String, line: Int, column: Int)?, _ message: String) {
            let p = position ?? ("<unknown>", 0, 0)
            let d = BPFSourceDiagnostic(file: p.file, line: p.line, column: p.column, message: message)
            if seen.insert(d).inserted { found.append(d) }
        }
        func forbidden(_ name: String) -> Bool {
            if index.functions[name] != nil { return IRRuntimeNames.isRuntime(name) }
            // `swiftbpf_*` functions are BPFKernel's C accessors (CO-RE reads), linked as bitcode.
            return index.declarations.contains(name) && !name.hasPrefix("llvm.") && !name.hasPrefix(Self.linkedFunctionPrefix)
        }
        // Call sites by callee, to place code of a standard library function that was not
        // inlined at the user's line that calls it.
        var callers: [String: [(caller: String, line: Substring)]] = [:]
        for name in index.functionOrder where reachable.contains(name) {
            let f = index.functions[name]!
            for line in index.lines[(f.headerLine + 1)..<f.endLine] {
                for callee in Set(IRModuleIndex.symbols(in: line)) where callee != name { callers[callee, default: []].append((name, line)) }
            }
        }
        func userPosition(calling function: String, depth: Int = 0) -> (file: String, line: Int, column: Int)? {
            guard depth < 8 else { return nil }
            for site in callers[function] ?? [] {
                if let p = IRModuleIndex.debugLocation(of: site.line).flatMap(locations.position), p.file.hasSuffix(userSourceSuffix) { return p }
            }
            for site in callers[function] ?? [] {
                if let p = userPosition(calling: site.caller, depth: depth + 1) { return p }
            }
            return nil
        }
        for name in index.functionOrder where reachable.contains(name) && !IRRuntimeNames.isRuntime(name) {
            let f = index.functions[name]!
            for line in index.lines[(f.headerLine + 1)..<f.endLine] {
                var position = IRModuleIndex.debugLocation(of: line).flatMap(locations.position)
                    ?? locations.position(ofFunctionHeader: index.lines[f.headerLine])
                if !(position?.file.hasSuffix(userSourceSuffix) ?? false), let user = userPosition(calling: name) { position = user }
                if line.contains("@llvm.trap()") || line.contains("@llvm.ubsantrap(") {
                    report(position, "this code may trap (fatalError, precondition, a failed unwrap or an overflow check), and a BPF program cannot trap: handle the case and return")
                    continue
                }
                for callee in IRModuleIndex.symbols(in: line) where forbidden(callee) {
                    report(position, "a BPF program cannot do this: it \(IRRuntimeNames.cause(of: callee))")
                }
            }
        }
        // Code the compiler generated (a deinit reached through the runtime) has no line of its
        // own; when the user's lines explain the problem, those are the useful errors.
        let located = found.filter { $0.file.hasSuffix(userSourceSuffix) && $0.line > 0 }
        return located.isEmpty ? found : located
    }

    // MARK: - Line rewrites

    static func dropTargetAttributes(_ line: String) -> String {
        var s = line
        for key in ["target-cpu", "target-features", "tune-cpu", "stack-protector-buffer-size"] {
            s = s.replacingOccurrences(of: " \"\(key)\"=\"[^\"]*\"", with: "", options: .regularExpression)
        }
        // Swift marks the call from an `@c` thunk to its Swift body `noinline`; BPF programs
        // inline everything, as C ones do with __always_inline.
        s = s.replacingOccurrences(of: " (sspreq|sspstrong|ssp|noinline)(?= |$)", with: "", options: .regularExpression)
        // An emptied group is a syntax error; nothing unwinds in BPF.
        return s.hasSuffix("= { }") ? String(s.dropLast(3)) + "{ nounwind }" : s
    }

    static func dropSwiftConvention(_ line: String) -> String {
        guard line.contains("swift") else { return line }
        return line.replacingOccurrences(of: "\\b(swiftcc|swiftself|swifterror|swiftasync) ", with: "", options: .regularExpression)
    }

    static let linkageWords: Set<Substring> = [
        "private", "internal", "available_externally", "linkonce", "weak", "common", "appending",
        "extern_weak", "linkonce_odr", "weak_odr", "external", "default", "hidden", "protected",
        "dso_local", "dso_preemptable",
    ]

    /// A `define` line with `internal` linkage and no section or comdat, or, for a program,
    /// with default visibility and its section.
    static func relink(_ line: String, entry: Bool) -> String {
        var words = line.dropFirst("define ".count).split(separator: " ", omittingEmptySubsequences: false)
        while let w = words.first, linkageWords.contains(w) { words.removeFirst() }
        var body = words.joined(separator: " ")
        if !entry {
            body = body.replacingOccurrences(of: " section \"[^\"]*\"", with: "", options: .regularExpression)
            body = body.replacingOccurrences(of: " comdat(\\([^)]*\\))?", with: "", options: .regularExpression)
            return "define internal " + body
        }
        return "define " + body
    }

    /// Global variables emitted `linkonce_odr`/`weak_odr` (runtime data) become internal; the
    /// program's own globals keep their linkage without the `protected` visibility.
    /// The once-token of a lazily initialised global (`…Wz`) becomes internal too: a global
    /// Swift initialised statically (a struct of zeros) keeps an unused token, which would
    /// otherwise take 8 bytes of `.bss` under its mangled name (a lazy initialisation that is
    /// really used calls `swift_once`, which the rewrite refuses).
    static func relinkGlobal(_ line: String) -> String {
        guard let eq = line.range(of: " = ") else { return line }
        let head = line[..<eq.upperBound]
        var words = line[eq.upperBound...].split(separator: " ", omittingEmptySubsequences: false)
        if head.hasPrefix("@\"$"), head.hasSuffix("Wz\" = ") {
            while let w = words.first, linkageWords.contains(w) { words.removeFirst() }
            return head + "internal " + words.joined(separator: " ")
        }
        var odr = false
        while let w = words.first, linkageWords.contains(w) {
            if w == "linkonce_odr" || w == "weak_odr" || w == "linkonce" || w == "weak" { odr = true }
            if w == "private" || w == "internal" || w == "external" || w == "extern_weak" || w == "appending" {
                return line.replacingOccurrences(of: " protected ", with: " ")
            }
            words.removeFirst()
        }
        var rest = words.joined(separator: " ")
        if odr { rest = rest.replacingOccurrences(of: ", comdat(\\([^)]*\\))?", with: "", options: .regularExpression) }
        return head + (odr ? "internal " : "") + rest
    }

    /// `@llvm.used` with only its data entries, or nil when none is left.
    static func keepDataOnly(_ line: Substring, index: IRModuleIndex) -> String? {
        let name = line.hasPrefix("@llvm.used") ? "@llvm.used" : "@llvm.compiler.used"
        let kept = IRModuleIndex.symbols(in: line.dropFirst(name.count)).filter { symbol in
            index.functions[symbol] == nil && !index.declarations.contains(symbol) && symbol != "_swift1_autolink_entries"
        }
        guard !kept.isEmpty else { return nil }
        let list = kept.map { "ptr " + quote($0) }.joined(separator: ", ")
        return "\(name) = appending global [\(kept.count) x ptr] [\(list)], section \"llvm.metadata\""
    }

    static func quote(_ symbol: String) -> String {
        symbol.allSatisfy(IRModuleIndex.isSymbolCharacter) && !symbol.contains("$") ? "@" + symbol : "@\"\(symbol)\""
    }

    /// `load i16, ptr @port` → `load volatile i16, ptr @port` for the given globals.
    static func makeLoadsVolatile(_ line: String, of globals: Set<String>) -> String {
        var derived: Set<String> = []
        return makeLoadsVolatile(line, of: globals, derived: &derived)
    }

    /// The same, also for loads through pointers into those globals (a `LoadTimeString`'s
    /// bytes: `%7 = getelementptr inbounds i8, ptr @name, i64 %6` then `load i8, ptr %7`, or a
    /// constant `getelementptr` operand). `derived` holds the function's pointer values computed
    /// from the globals so far; the caller empties it at each function.
    static func makeLoadsVolatile(_ line: String, of globals: Set<String>, derived: inout Set<String>) -> String {
        guard !globals.isEmpty else { return line }
        func pointsIntoGlobals(_ text: Substring) -> Bool {
            var rest = text
            while let r = rest.range(of: "ptr ") {
                let operand = rest[r.upperBound...].prefix { IRModuleIndex.isSymbolCharacter($0) || $0 == "@" || $0 == "%" }
                if operand.hasPrefix("@"), globals.contains(String(operand.dropFirst())) { return true }
                if operand.hasPrefix("%"), derived.contains(String(operand)) { return true }
                rest = rest[r.upperBound...]
            }
            return false
        }
        let code = line.drop { $0 == " " }
        if code.hasPrefix("%"), let gep = code.range(of: " = getelementptr ") {
            if pointsIntoGlobals(code[gep.upperBound...]) { derived.insert(String(code[..<gep.lowerBound])) }
            return line
        }
        guard !line.contains(" = load volatile "), let load = line.range(of: " = load "), pointsIntoGlobals(line[load.upperBound...]) else { return line }
        return line.replacingCharacters(in: load, with: " = load volatile ")
    }

    // MARK: - Names

    /// Swift names for top-level globals of the program's module: `$e<module><name><type>vp`
    /// becomes `<name>` when no other symbol has that name.
    static func globalRenames(_ index: IRModuleIndex) -> [String: String] {
        var taken = Set(index.functions.keys).union(index.declarations).union(index.globals)
        var out: [String: String] = [:]
        for g in index.globals.sorted() {
            guard let plain = topLevelGlobalName(g), !taken.contains(plain) else { continue }
            taken.insert(plain)
            out[g] = plain
        }
        return out
    }

    /// `packets` for `$e4prog7packetss6UInt64Vvp`; nil for anything but a module-level
    /// stored global variable.
    static func topLevelGlobalName(_ mangled: String) -> String? {
        guard mangled.hasPrefix("$e") || mangled.hasPrefix("$s"), mangled.hasSuffix("vp") else { return nil }
        var rest = Substring(mangled.dropFirst(2))
        func identifier() -> Substring? {
            let digits = rest.prefix { $0.isNumber }
            guard let n = Int(digits), n > 0, rest.count >= digits.count + n else { return nil }
            let id = rest.dropFirst(digits.count).prefix(n)
            rest = rest.dropFirst(digits.count + n)
            return id
        }
        guard identifier() != nil, let name = identifier(), !rest.isEmpty,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return nil }
        // The type mangling follows the name directly; a nested name would be another identifier.
        guard let first = rest.first, !first.isNumber else { return nil }
        return String(name)
    }

    /// Applies the global renames and replaces `$` in every other quoted name.
    static func rename(_ line: String, _ renames: [String: String]) -> String {
        guard line.contains("$") else { return line }
        var s = line
        for (old, new) in renames where s.contains(old) {
            s = s.replacingOccurrences(of: "@\"\(old)\"", with: "@\(new)")
            s = s.replacingOccurrences(of: "\"\(old)\"", with: "\"\(new)\"")
        }
        guard s.contains("$") else { return s }
        // Quoted strings that hold a `$`: symbol names and debug names. String constants
        // (`c"..."`) are left alone.
        var result = ""
        result.reserveCapacity(s.count)
        var inQuote = false
        var constant = false
        var previous: Character = " "
        for c in s {
            if c == "\"" {
                if !inQuote { constant = previous == "c" }
                inQuote.toggle()
                result.append(c)
            } else if c == "$" && inQuote && !constant {
                result.append("_")
            } else {
                result.append(c)
            }
            previous = c
        }
        return result
    }
}
