import BPF

/// Whether the running kernel's BTF has a function (a kfunc, or a symbol a ksym names): tests of
/// kfuncs added in later kernels run where the kernel has them and skip, saying so, elsewhere.
enum KernelFunctions {
    static func exist(_ names: String...) -> Bool {
        guard let btf = try? BTF.kernel() else { return false }
        return names.allSatisfy { btf.typeID(named: $0, kind: .func) != nil }
    }
}
