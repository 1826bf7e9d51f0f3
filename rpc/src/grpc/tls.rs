//! TLS for the gRPC transport (feature `grpc-tls`): rustls with the ring provider.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::server::TlsStream;
use tonic::transport::{Certificate, ClientTlsConfig};

use super::GrpcError;

/// A server's TLS identity: its certificate chain and private key, PEM-encoded.
#[derive(Clone)]
pub struct ServerTls {
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
    handshake_timeout: Duration,
}

impl ServerTls {
    /// The identity of certificate chain `cert_pem` (the server's certificate first) and its
    /// private key `key_pem` (PKCS#8, PKCS#1 or SEC1).
    pub fn new(cert_pem: impl Into<Vec<u8>>, key_pem: impl Into<Vec<u8>>) -> ServerTls {
        ServerTls {
            cert_pem: cert_pem.into(),
            key_pem: key_pem.into(),
            handshake_timeout: Duration::from_secs(10),
        }
    }

    /// How long a client may take to finish its handshake before it is dropped (10 s unless
    /// changed), so half-open connections do not pile up.
    pub fn handshake_timeout(mut self, timeout: Duration) -> ServerTls {
        self.handshake_timeout = timeout;
        self
    }
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        f.debug_struct("ServerTls")
            .field("cert_pem", &format_args!("{} bytes", self.cert_pem.len()))
            .finish_non_exhaustive()
    }
}

/// What a client trusts: the certificate authority that signed the server's certificate
/// (PEM-encoded), and the name the certificate must carry when it is not the target's host.
#[derive(Debug, Clone)]
pub struct ClientTls {
    ca_pem: Vec<u8>,
    domain: Option<String>,
}

impl ClientTls {
    /// Trusts the certificate authority `ca_pem`.
    pub fn new(ca_pem: impl Into<Vec<u8>>) -> ClientTls {
        ClientTls {
            ca_pem: ca_pem.into(),
            domain: None,
        }
    }

    /// Checks the server's certificate for `name` instead of the target's host.
    pub fn domain_name(mut self, name: impl Into<String>) -> ClientTls {
        self.domain = Some(name.into());
        self
    }

    pub(crate) fn config(&self) -> ClientTlsConfig {
        let config = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&self.ca_pem));
        match &self.domain {
            Some(name) => config.domain_name(name.clone()),
            None => config,
        }
    }
}

/// Accepts TLS connections for a server, offering HTTP/2 only.
#[derive(Clone)]
pub(crate) struct Acceptor {
    acceptor: TlsAcceptor,
    handshake_timeout: Duration,
}

impl Acceptor {
    pub(crate) fn new(tls: &ServerTls) -> Result<Acceptor, GrpcError> {
        let certs = CertificateDer::pem_slice_iter(&tls.cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| GrpcError::Tls(format!("the certificate chain: {e}")))?;
        if certs.is_empty() {
            return Err(GrpcError::Tls(
                "the certificate chain has no certificate".into(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(&tls.key_pem)
            .map_err(|e| GrpcError::Tls(format!("the private key: {e}")))?;
        // The provider is named rather than taken from the process default, which another
        // crate's features could make ambiguous.
        let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| GrpcError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| GrpcError::Tls(e.to_string()))?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Acceptor {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            handshake_timeout: tls.handshake_timeout,
        })
    }

    /// The connection after its handshake; `None` when the handshake failed or took too long
    /// (the client sees the connection closed).
    pub(crate) async fn accept(&self, stream: TcpStream) -> Option<TlsStream<TcpStream>> {
        tokio::time::timeout(self.handshake_timeout, self.acceptor.accept(stream))
            .await
            .ok()?
            .ok()
    }
}
