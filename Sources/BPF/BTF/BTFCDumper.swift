/// Prints BTF as compilable C declarations, like `bpftool btf dump file X format c`.
///
/// Types are emitted in dependency order: a struct, union or typedef is fully defined before
/// anything that embeds it by value; types reached only through pointers get a forward
/// declaration (`struct foo;`) when needed. Anonymous structs, unions and enums are printed
/// inline where they are used. Member offsets are reproduced exactly: gaps get explicit
/// `long: 64;`-style padding, misaligned layouts get `__attribute__((packed))`, bitfields keep
/// their widths. Names that several distinct types share get a `___N` suffix (libbpf's rule),
/// and the compiler built-in `__builtin_va_list` is never redefined.
public struct BTFCDumper: Sendable {
    /// The BTF it dumps.
    public let btf: BTF

    /// Output options.
    public struct Options: Sendable {
        /// Wrap the output in an `#ifndef __VMLINUX_H__` guard and apply `preserve_access_index`
        /// to every record (with `#pragma clang attribute push/pop`), like bpftool's vmlinux.h.
        public var vmlinuxHeader: Bool
        /// The include guard's macro when `vmlinuxHeader` is set.
        public var guardMacro: String

        /// Options: the `preserve_access_index` wrapper of a vmlinux.h, and its include guard.
        public init(vmlinuxHeader: Bool = false, guardMacro: String = "__VMLINUX_H__") {
            self.vmlinuxHeader = vmlinuxHeader
            self.guardMacro = guardMacro
        }
    }

    /// A dumper of `btf`.
    public init(btf: BTF) {
        self.btf = btf
    }

    /// Every type of the BTF (all named and top-level types; for split BTF, base types are
    /// included only where needed).
    public func dumpAll(options: Options = Options()) throws(BPFError) -> String {
        let ctx = CDumpContext(btf: btf)
        try ctx.markReferenced()
        for id in btf.ownTypeIDs {
            try ctx.dumpType(id)
        }
        return wrap(ctx.out, options)
    }

    /// The given types and everything they need: types they embed by value get full
    /// definitions (recursively), types reached only through pointers get forward declarations.
    public func dump(rootIDs: [UInt32], options: Options = Options()) throws(BPFError) -> String {
        let ctx = CDumpContext(btf: btf)
        try ctx.markReferenced()
        for id in rootIDs {
            guard id < btf.count else { throw .invalidArgument("type id \(id) does not exist") }
            try ctx.dumpType(id)
        }
        return wrap(ctx.out, options)
    }

    /// Like `dump(rootIDs:)`, with roots named: every struct, union, enum, typedef or forward
    /// declaration with that name. Throws `BPFError.missing` for a name no such type has.
    public func dump(roots: [String], options: Options = Options()) throws(BPFError) -> String {
        var ids: [UInt32] = []
        for name in roots {
            let found = btf.typeIDs(named: name).filter { id in
                switch btf.kind(of: id) {
                case .struct, .union, .enum, .enum64, .typedef, .fwd: true
                default: false
                }
            }
            guard !found.isEmpty else { throw .missing("BTF has no struct, union, enum or typedef named '\(name)'") }
            ids += found
        }
        return try dump(rootIDs: ids, options: options)
    }

    private func wrap(_ body: String, _ options: Options) -> String {
        guard options.vmlinuxHeader else { return body }
        let g = options.guardMacro
        return """
            #ifndef \(g)
            #define \(g)

            #ifndef BPF_NO_PRESERVE_ACCESS_INDEX
            #pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
            #endif

            \(body)#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
            #pragma clang attribute pop
            #endif

            #endif /* \(g) */

            """
    }
}

/// The mutable state of one dump: ordering and emission marks per type id, resolved names,
/// the output text.
private final class CDumpContext {
    let btf: BTF
    var cache: [BTFType?]
    /// 0 = not ordered, 1 = ordering, 2 = ordered.
    var orderState: [UInt8]
    /// 0 = not emitted, 1 = emitting, 2 = emitted.
    var emitState: [UInt8]
    var fwdEmitted: [Bool]
    var referenced: [Bool]
    var resolvedName: [String?]
    var typeNameCounts: [String: Int] = [:]
    var identNameCounts: [String: Int] = [:]
    var queue: [UInt32] = []
    var out = ""
    /// Current recursion depth of `order` and `emit`, bounded so hostile BTF cannot exhaust the stack.
    var depth = 0
    /// Declarations, padding lines, enumerators and emission steps left. Anonymous structs,
    /// unions and function prototypes are printed inline wherever they are used, so one shared
    /// by two members of another that is itself shared twice, and so on, makes text exponential
    /// in the nesting: a 1 KB BTF could print forever. Real BTF stays below this (all of
    /// vmlinux dumps within it).
    var budget: Int
    var overBudget = false

    init(btf: BTF) {
        self.btf = btf
        let n = Int(btf.count)
        cache = Array(repeating: nil, count: n)
        orderState = Array(repeating: 0, count: n)
        emitState = Array(repeating: 0, count: n)
        fwdEmitted = Array(repeating: false, count: n)
        referenced = Array(repeating: false, count: n)
        resolvedName = Array(repeating: nil, count: n)
        budget = Self.budget(typeCount: n)
    }

    /// 64 steps per type, and never fewer than 16,384 (a small hostile BTF spends all of it, so
    /// the floor is what such an input costs: about 50 ms).
    static func budget(typeCount: Int) -> Int { 16_384 + 64 * typeCount }

    /// `btf.alignment(of:)`, once per type: structs ask it of every member.
    var alignments: [UInt32: Int?] = [:]
    func alignment(_ id: UInt32) -> Int? {
        if let known = alignments[id] { return known }
        let a = try? btf.alignment(of: id)
        alignments[id] = a
        return a
    }

    /// Takes one step of the budget; false once it is spent.
    func spend() -> Bool {
        budget -= 1
        if budget < 0 { overBudget = true }
        return !overBudget
    }

    func type(_ id: UInt32) -> BTFType {
        let i = Int(id)
        guard i < cache.count else { return .void }
        if let t = cache[i] { return t }
        let t = (try? btf.type(id)) ?? .void
        cache[i] = t
        return t
    }

    /// Marks every type referenced by another type (anonymous enums referenced somewhere are
    /// printed inline, unreferenced ones at top level).
    func markReferenced() throws(BPFError) {
        for id in btf.typeIDs {
            let t = type(id)
            switch t.kind {
            case .ptr, .typedef, .volatile, .const, .restrict, .func, .var, .declTag, .typeTag:
                referenced[Int(t.sizeOrType)] = true
            case .array:
                if let a = t.array {
                    referenced[Int(a.element)] = true
                    referenced[Int(a.indexType)] = true
                }
            case .struct, .union:
                for m in t.members { referenced[Int(m.type)] = true }
            case .funcProto:
                referenced[Int(t.sizeOrType)] = true
                for p in t.params { referenced[Int(p.type)] = true }
            case .dataSec:
                for e in t.dataSecEntries { referenced[Int(e.type)] = true }
            default:
                break
            }
        }
    }

    func dumpType(_ id: UInt32) throws(BPFError) {
        queue.removeAll(keepingCapacity: true)
        _ = try order(id, throughPointer: false)
        for q in queue { emit(q, container: 0) }
        if overBudget {
            throw .malformedBTF("type [\(id)]: its C text would be too large (anonymous types or function prototypes nested and shared so that their inline definitions repeat exponentially, or a struct of gigabytes); stopped after \(Self.budget(typeCount: cache.count)) steps")
        }
    }

    // MARK: - Ordering

    /// Puts `id` and what it needs into `queue` in definition order. Returns whether `id` is a
    /// "strong" dependency (needs a complete definition, not just a forward declaration).
    func order(_ id: UInt32, throughPointer: Bool) throws(BPFError) -> Bool {
        depth += 1
        defer { depth -= 1 }
        guard depth < BTF.maxNestingDepth else {
            throw .malformedBTF("type [\(id)]: types nested more than \(BTF.maxNestingDepth) deep")
        }
        // void and anything already ordered count as strong (a typedef of them can be emitted).
        if id == 0 { return true }
        let i = Int(id)
        if orderState[i] == 2 { return true }
        let t = type(id)
        if orderState[i] == 1 {
            if t.kind.isComposite, throughPointer, t.nameOffset != 0 { return false }
            throw .malformedBTF("type [\(id)] '\(t.name)' is part of a type cycle that C cannot express")
        }
        switch t.kind {
        case .int, .float:
            orderState[i] = 2
            return false
        case .ptr:
            let strong = try order(t.sizeOrType, throughPointer: true)
            orderState[i] = 2
            return strong
        case .array:
            return try order(t.array?.element ?? 0, throughPointer: false)
        case .struct, .union:
            if throughPointer, t.nameOffset != 0 { return false }
            orderState[i] = 1
            for m in t.members { _ = try order(m.type, throughPointer: false) }
            if t.nameOffset != 0 { queue.append(id) }
            orderState[i] = 2
            return true
        case .enum, .enum64, .fwd:
            if t.nameOffset != 0 || !referenced[i] { queue.append(id) }
            orderState[i] = 2
            return true
        case .typedef:
            let strong = try order(t.sizeOrType, throughPointer: throughPointer)
            if throughPointer, !strong { return false }
            queue.append(id)
            orderState[i] = 2
            return true
        case .volatile, .const, .restrict, .typeTag:
            return try order(t.sizeOrType, throughPointer: throughPointer)
        case .funcProto:
            var strong = try order(t.sizeOrType, throughPointer: throughPointer)
            for p in t.params {
                if try order(p.type, throughPointer: throughPointer) { strong = true }
            }
            return strong
        case .func, .var, .dataSec, .declTag, .void:
            orderState[i] = 2
            return false
        }
    }

    // MARK: - Emission

    /// Emits `id` and the forward declarations it needs. `container` is the struct/typedef
    /// being defined (0 at top level).
    func emit(_ id: UInt32, container: UInt32) {
        let i = Int(id)
        if id == 0 || emitState[i] == 2 || depth >= BTF.maxNestingDepth || !spend() { return }
        depth += 1
        defer { depth -= 1 }
        let t = type(id)
        let topLevel = container == 0
        if emitState[i] == 1 {
            if fwdEmitted[i] { return }
            switch t.kind {
            case .struct, .union:
                if id == container || t.nameOffset == 0 { return }
                out += structForward(t) + ";\n\n"
                fwdEmitted[i] = true
            case .typedef:
                if !isBlacklisted(t) { out += typedefDef(t, level: 0) + ";\n\n" }
                fwdEmitted[i] = true
            default:
                break
            }
            return
        }
        switch t.kind {
        case .int, .float:
            emitState[i] = 2
        case .enum, .enum64:
            if topLevel { out += enumDef(t, level: 0) + ";\n\n" }
            emitState[i] = 2
        case .ptr, .volatile, .const, .restrict, .typeTag:
            emit(t.sizeOrType, container: container)
        case .array:
            emit(t.array?.element ?? 0, container: container)
        case .fwd:
            out += (t.isUnionForward ? "union " : "struct ") + t.name + ";\n\n"
            emitState[i] = 2
        case .typedef:
            emitState[i] = 1
            emit(t.sizeOrType, container: id)
            if !fwdEmitted[i], !isBlacklisted(t) { out += typedefDef(t, level: 0) + ";\n\n" }
            emitState[i] = 2
        case .struct, .union:
            emitState[i] = 1
            if topLevel || t.nameOffset == 0 {
                let inner = t.nameOffset == 0 ? container : id
                for m in t.members { emit(m.type, container: inner) }
            } else if !fwdEmitted[i], id != container {
                out += structForward(t) + ";\n\n"
                fwdEmitted[i] = true
            }
            if topLevel {
                out += structDef(t, level: 0) + ";\n\n"
                emitState[i] = 2
            } else {
                emitState[i] = 0
            }
        case .funcProto:
            emit(t.sizeOrType, container: container)
            for p in t.params { emit(p.type, container: container) }
        case .func, .var, .dataSec, .declTag, .void:
            break
        }
    }

    func isBlacklisted(_ t: BTFType) -> Bool {
        t.name == "__builtin_va_list"
    }

    // MARK: - Names

    /// The name of a struct/union/enum (type namespace) or typedef (identifier namespace),
    /// with `___N` appended when an earlier distinct type used the same name.
    func resolveName(_ t: BTFType, ident: Bool) -> String {
        if t.nameOffset == 0 { return "" }
        let i = Int(t.id)
        if let n = resolvedName[i] { return n }
        var result = t.name
        if !(t.kind == .fwd || (t.kind.isEnum && t.vlen == 0)) {
            let count = bump(t.name, ident: ident)
            if count > 1 { result = "\(t.name)___\(count)" }
        }
        resolvedName[i] = result
        return result
    }

    func bump(_ name: String, ident: Bool) -> Int {
        if ident {
            let c = (identNameCounts[name] ?? 0) + 1
            identNameCounts[name] = c
            return c
        }
        let c = (typeNameCounts[name] ?? 0) + 1
        typeNameCounts[name] = c
        return c
    }

    func typeName(_ t: BTFType) -> String { resolveName(t, ident: false) }

    // MARK: - Definitions

    func indent(_ level: Int) -> String { String(repeating: "\t", count: level) }

    func structForward(_ t: BTFType) -> String {
        (t.kind == .union ? "union " : "struct ") + typeName(t)
    }

    func typedefDef(_ t: BTFType, level: Int) -> String {
        let name = resolveName(t, ident: true)
        // Old GCC emits __gnuc_va_list as a typedef of void; it is the compiler's va_list.
        if t.sizeOrType == 0, name == "__gnuc_va_list" { return "typedef __builtin_va_list __gnuc_va_list" }
        return "typedef " + declaration(t.sizeOrType, name, level: level)
    }

    func enumDef(_ t: BTFType, level: Int) -> String {
        let name = typeName(t)
        var s = "enum" + (name.isEmpty ? "" : " " + name)
        if t.vlen == 0 { return s }
        s += " {"
        for e in t.enumerators {
            guard spend() else { break }
            let count = bump(e.name, ident: true)
            let n = count > 1 ? "\(e.name)___\(count)" : e.name
            let v: String
            if t.kind == .enum {
                v = t.isSigned ? "\(Int32(truncatingIfNeeded: e.value))" : "\(UInt32(truncatingIfNeeded: e.value))"
            } else {
                v = t.isSigned ? "\(e.value)LL" : "\(e.unsignedValue)ULL"
            }
            s += "\n" + indent(level + 1) + n + " = " + v + ","
        }
        s += "\n" + indent(level) + "}"
        if t.sizeOrType == 1 {
            s += " __attribute__((mode(byte)))"
        } else if t.sizeOrType == 8 {
            // A 32-bit ENUM of 8 bytes, or an ENUM64 whose values all fit 32 bits, would
            // otherwise get 4 bytes from the compiler.
            let needsWord = t.kind == .enum || t.enumerators.allSatisfy { $0.unsignedValue >> 32 == 0 }
            if needsWord { s += " __attribute__((mode(word)))" }
        }
        return s
    }

    func structDef(_ t: BTFType, level: Int) -> String {
        let isStruct = t.kind == .struct
        let packed = isStruct && isPacked(t)
        let name = typeName(t)
        var s = (isStruct ? "struct" : "union") + (name.isEmpty ? "" : " " + name) + " {"
        var offset = 0
        var previousBitfield = false
        for m in t.members {
            let bitSize = Int(m.bitfieldSize)
            let bitOffset = Int(m.bitOffset)
            let align = packed ? 1 : max(1, alignment(m.type) ?? 1)
            let inBitfield = previousBitfield && bitSize != 0
            padding(&s, from: offset, to: bitOffset, nextAlign: align, inBitfield: inBitfield, level: level + 1)
            s += "\n" + indent(level + 1) + declaration(m.type, m.name, level: level + 1)
            if bitSize != 0 {
                s += ": \(bitSize)"
                offset = bitOffset + bitSize
                previousBitfield = true
            } else {
                let size = max(0, (try? btf.size(of: m.type)) ?? 0)
                offset = bitOffset + size * 8
                previousBitfield = false
            }
            s += ";"
        }
        if isStruct {
            let structAlign = packed ? 1 : max(1, alignment(t.id) ?? 1)
            padding(&s, from: offset, to: Int(t.sizeOrType) * 8, nextAlign: structAlign, inBitfield: false, level: level + 1)
        }
        if t.vlen > 0 || t.sizeOrType > 0 {
            s += "\n" + indent(level) + "}"
        } else {
            s += "}"
        }
        if packed { s += " __attribute__((packed))" }
        return s
    }

    /// A struct is packed if a non-bitfield member is not naturally aligned or the size is not
    /// a multiple of the largest member alignment.
    func isPacked(_ t: BTFType) -> Bool {
        var maxAlign = 1
        for m in t.members {
            let align = alignment(m.type) ?? 0
            if align > 0, m.bitfieldSize == 0, Int(m.bitOffset) % (8 * align) != 0 { return true }
            maxAlign = max(maxAlign, align)
        }
        return Int(t.sizeOrType) % maxAlign != 0
    }

    /// Fills the bit gap [from, to) with anonymous bitfields (`long: 64;`, `int: 0;`, …) so
    /// the next member lands exactly at `to`, relying on natural alignment where it can.
    func padding(_ s: inout String, from: Int, to: Int, nextAlign: Int, inBitfield: Bool, level: Int) {
        if from >= to { return }
        let pads: [(String, Int)] = [("long", 64), ("int", 32), ("short", 16), ("char", 8)]
        func roundUp(_ x: Int, _ y: Int) -> Int { (x + y - 1) / y * y }
        var cur = from
        var padName = "long", padBits = 64
        var newOffset = 0
        for (n, b) in pads {
            padName = n
            padBits = b
            newOffset = roundUp(cur, b)
            if newOffset <= to { break }
        }
        if newOffset > cur, newOffset <= to {
            if inBitfield
                || (newOffset == to && roundUp(cur, nextAlign * 8) != newOffset)
                || (newOffset != to && to - newOffset <= newOffset - cur) {
                s += "\n" + indent(level) + "\(padName): \(inBitfield ? newOffset - cur : 0);"
            }
            cur = newOffset
        }
        // A struct's size comes from the BTF: a 4 GB struct would be half a billion lines.
        while cur != to, spend() {
            let bits = min(to - cur, padBits)
            if bits == padBits {
                s += "\n" + indent(level) + "\(padName): \(padBits);"
                cur += bits
                continue
            }
            for (n, b) in pads.reversed() where b >= bits {
                s += "\n" + indent(level) + "\(n): \(bits);"
                cur += bits
                break
            }
        }
    }

    // MARK: - Declarations

    /// A C declaration of `name` (possibly empty) with type `id`, e.g. `struct foo * (*fn)(int)`,
    /// `const char *name`, `int a[4][8]`, spaced the way bpftool prints them. Anonymous types
    /// print their definitions inline at `level`.
    func declaration(_ id: UInt32, _ name: String, level: Int) -> String {
        guard spend() else { return "" }
        // The chain of types from the declared one inward to the base type.
        var chain: [BTFType] = []
        var current = id
        while chain.count < 64 {
            let t = type(current)
            if t.kind == .typeTag {  // printed by newer bpftool only; transparent here
                current = t.sizeOrType
                continue
            }
            chain.append(t)
            switch t.kind {
            case .ptr, .const, .volatile, .restrict, .funcProto:
                current = t.sizeOrType
                continue
            case .array:
                current = t.array?.element ?? 0
                continue
            default:
                break
            }
            break
        }
        var s = ""
        emitChain(&chain, name, level: level, into: &s)
        return s
    }

    private static func isModifier(_ k: BTFKind) -> Bool { k == .const || k == .volatile || k == .restrict }

    private static func qualifier(_ k: BTFKind) -> String {
        k == .const ? "const" : k == .volatile ? "volatile" : "restrict"
    }

    /// Prints the chain from its base (last element) outward, consuming it. Qualifiers right
    /// outside the base are printed before it (`const char`); qualifiers outside a pointer after
    /// it (`* const`). Arrays and function prototypes wrap the rest of the chain in parentheses.
    private func emitChain(_ chain: inout [BTFType], _ name: String, level: Int, into s: inout String) {
        var lastWasPointer = true
        func emitName() {
            if !name.isEmpty, !lastWasPointer { s += " " }
            s += name
        }
        func dropModifiers() {
            while let last = chain.last, Self.isModifier(last.kind) { chain.removeLast() }
        }
        while let t = chain.popLast() {
            switch t.kind {
            case .ptr:
                s += lastWasPointer ? "*" : " *"
            case .const, .volatile, .restrict:
                s += " " + Self.qualifier(t.kind)
            case .array:
                dropModifiers()
                let n = t.array?.count ?? 0
                if chain.isEmpty {
                    emitName()
                    s += "[\(n)]"
                    return
                }
                let multidimensional = chain.last?.kind == .array
                if !name.isEmpty, !lastWasPointer { s += " " }
                if !multidimensional { s += "(" }
                emitChain(&chain, name, level: level, into: &s)
                if !multidimensional { s += ")" }
                s += "[\(n)]"
                return
            case .funcProto:
                dropModifiers()
                if chain.isEmpty {
                    emitName()
                } else {
                    s += " ("
                    emitChain(&chain, name, level: level, into: &s)
                    s += ")"
                }
                s += "(" + parameters(t, level: level) + ")"
                return
            default:
                while let last = chain.last, Self.isModifier(last.kind) {
                    s += Self.qualifier(last.kind) + " "
                    chain.removeLast()
                }
                s += baseName(t, level: level)
            }
            lastWasPointer = t.kind == .ptr
        }
        emitName()
    }

    func parameters(_ t: BTFType, level: Int) -> String {
        let params = t.params
        if params.isEmpty { return "void" }
        if params.count == 1, params[0].type == 0 { return "" }
        var parts: [String] = []
        for (i, p) in params.enumerated() {
            if i == params.count - 1, p.type == 0 {
                parts.append("...")
            } else {
                parts.append(declaration(p.type, p.name, level: level))
            }
        }
        return parts.joined(separator: ", ")
    }

    /// The type specifier of a non-derived type.
    func baseName(_ t: BTFType, level: Int) -> String {
        switch t.kind {
        case .void: return "void"
        case .int, .float: return t.name
        case .struct, .union:
            if t.nameOffset == 0 {
                // Inline definitions nest with the C text; hostile BTF could loop forever here.
                guard depth < BTF.maxNestingDepth else { return structForward(t) + " /* nested too deep */" }
                depth += 1
                defer { depth -= 1 }
                return structDef(t, level: level)
            }
            return structForward(t)
        case .enum, .enum64:
            if t.nameOffset == 0 { return enumDef(t, level: level) }
            return "enum " + typeName(t)
        case .fwd:
            return (t.isUnionForward ? "union " : "struct ") + t.name
        case .typedef:
            return resolveName(t, ident: true)
        default:
            return t.name.isEmpty ? "void" : t.name
        }
    }
}
