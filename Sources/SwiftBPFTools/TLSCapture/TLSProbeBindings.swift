import BPF

/// The uprobe programs of `BPFInclude/swiftbpf_payload.h` that every TLS-reading object has
/// (sslsniff's and http's generated bindings), so the probe table is built in one place.
protocol TLSProbeBindings {
    var sslWriteEntry: UprobeProgram { get }
    var sslReadEntry: UprobeProgram { get }
    var sslWriteExEntry: UprobeProgram { get }
    var sslReadExEntry: UprobeProgram { get }
    var sslHandshakeEntry: UprobeProgram { get }
    var gnutlsSendEntry: UprobeProgram { get }
    var gnutlsRecvEntry: UprobeProgram { get }
    var gnutlsHandshakeEntry: UprobeProgram { get }
    var sslWriteInnerEntry: UprobeProgram { get }
    var sslReadInnerEntry: UprobeProgram { get }
    var tlsCallReturn: UprobeProgram { get }
    var payloadCallers: HashMap<Int64, UInt32> { get }
}

extension TLSProbes {
    /// The probes of `bindings`, by the library call each one traces.
    convenience init(_ bindings: some TLSProbeBindings) {
        self.init(entries: [
            .opensslWrite: bindings.sslWriteEntry, .opensslRead: bindings.sslReadEntry,
            .opensslWriteEx: bindings.sslWriteExEntry, .opensslReadEx: bindings.sslReadExEntry,
            .opensslHandshake: bindings.sslHandshakeEntry,
            .gnutlsSend: bindings.gnutlsSendEntry, .gnutlsRecv: bindings.gnutlsRecvEntry,
            .gnutlsHandshake: bindings.gnutlsHandshakeEntry,
            .opensslWriteInner: bindings.sslWriteInnerEntry, .opensslReadInner: bindings.sslReadInnerEntry,
        ], returnProgram: bindings.tlsCallReturn, callers: bindings.payloadCallers)
    }
}

extension SslsniffObject: TLSProbeBindings {}
extension HttpObject: TLSProbeBindings {}
