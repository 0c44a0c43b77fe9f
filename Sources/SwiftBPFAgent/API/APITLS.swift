import HummingbirdTLS

/// The API's HTTPS settings from PEM files: the certificate (with its chain, leaf first) and
/// the private key. Read once at start, so a wrong file stops the agent with its name instead
/// of failing every handshake later.
enum APITLS {
    static func serverConfiguration(certificateFile: String, keyFile: String) throws(AgentError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw AgentError("tls_cert_file \(certificateFile): not a readable PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw AgentError("tls_cert_file \(certificateFile): no certificate in it") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw AgentError("tls_key_file \(keyFile): not a readable PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
