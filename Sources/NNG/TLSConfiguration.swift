import CNNG

/// TLS settings for a `tls+tcp://` listener or dialer.
///
/// Certificates and keys are PEM text. A listener needs ``certificate`` and
/// ``privateKey``; a dialer usually needs ``trustedCertificates`` (the CA chain that
/// signed the server) and a ``serverName`` matching the server certificate.
public struct TLSConfiguration: Sendable, Hashable {
    /// Whether the peer must present a certificate that chains to ``trustedCertificates``.
    public enum PeerVerification: Sendable, Hashable {
        /// Do not check the peer's certificate.
        case none
        /// Check a certificate if the peer presents one.
        case optional
        /// Require a valid certificate; the handshake fails otherwise.
        case required
    }

    /// This side's certificate (chain), PEM.
    public var certificate: String?
    /// The private key for ``certificate``, PEM.
    public var privateKey: String?
    /// The password protecting ``privateKey``, if it is encrypted.
    public var privateKeyPassword: String?
    /// The CA certificates that peers' certificates are checked against, PEM.
    public var trustedCertificates: String?
    /// How strictly the peer's certificate is checked.
    public var peerVerification: PeerVerification
    /// The name expected in the server's certificate (and sent as SNI) when dialling.
    public var serverName: String?

    public init(
        certificate: String? = nil,
        privateKey: String? = nil,
        privateKeyPassword: String? = nil,
        trustedCertificates: String? = nil,
        peerVerification: PeerVerification = .required,
        serverName: String? = nil
    ) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.privateKeyPassword = privateKeyPassword
        self.trustedCertificates = trustedCertificates
        self.peerVerification = peerVerification
        self.serverName = serverName
    }

    /// A listener's configuration that does not ask clients for certificates.
    public static func server(certificate: String, privateKey: String, privateKeyPassword: String? = nil) -> Self {
        Self(certificate: certificate, privateKey: privateKey, privateKeyPassword: privateKeyPassword, peerVerification: .none)
    }

    /// A dialer's configuration that requires the server's certificate to chain to `trustedCertificates`.
    public static func client(trustedCertificates: String, serverName: String? = nil) -> Self {
        Self(trustedCertificates: trustedCertificates, peerVerification: .required, serverName: serverName)
    }

    /// Builds an `nng_tls_config`, hands it to `apply` (which attaches it to an endpoint
    /// that takes its own reference), then drops ours.
    func withNNGConfig(mode: nng_tls_mode, _ apply: (OpaquePointer) throws(NNGError) -> Void) throws(NNGError) {
        var config: OpaquePointer?
        try NNGError.check(nng_tls_config_alloc(&config, mode), "nng_tls_config_alloc")
        let tls = config!
        defer { nng_tls_config_free(tls) }

        let authMode: nng_tls_auth_mode = switch peerVerification {
        case .none: NNG_TLS_AUTH_MODE_NONE
        case .optional: NNG_TLS_AUTH_MODE_OPTIONAL
        case .required: NNG_TLS_AUTH_MODE_REQUIRED
        }
        try NNGError.check(nng_tls_config_auth_mode(tls, authMode), "nng_tls_config_auth_mode")
        if let trustedCertificates {
            try NNGError.check(nng_tls_config_ca_chain(tls, trustedCertificates, nil), "nng_tls_config_ca_chain")
        }
        switch (certificate, privateKey) {
        case (let certificate?, let privateKey?):
            try NNGError.check(
                nng_tls_config_own_cert(tls, certificate, privateKey, privateKeyPassword), "nng_tls_config_own_cert")
        case (nil, nil):
            break
        default:
            // nng would accept neither alone; say which call the pair belongs to.
            throw NNGError(code: NNGError.Code.invalidArgument.rawValue, operation: "nng_tls_config_own_cert")
        }
        if let serverName {
            try NNGError.check(nng_tls_config_server_name(tls, serverName), "nng_tls_config_server_name", serverName)
        }
        try apply(tls)
    }
}
