import BPF

extension FirewallObject {
    /// Loads firewall.bpf.c or its Swift twin, firewall_swift.bpf.swift, with `options`. The twin
    /// has the same program, map names, key and value layouts and pinning, so the bindings
    /// generated from the C (this type) check and drive either object.
    static func load(language: BPFProgramLanguage, options: LoadOptions) throws(BPFError) -> FirewallObject {
        switch language {
        case .c:
            return try load(options: options)
        case .swift:
            let embedded = EmbeddedObjects.firewallSwift
            return try FirewallObject(BPFObject(ObjectSpec(bytes: embedded.bytes, name: embedded.name), options: options))
        }
    }
}
