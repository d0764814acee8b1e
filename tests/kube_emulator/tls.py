"""The emulator's PKI: a certificate authority made for the run, the server certificate it signs, and
client certificates for kubeconfigs that authenticate with one instead of a bearer token.

Real clusters serve TLS, and real clients (kubectl, every client-go program) never send a bearer
token over plain HTTP, so the emulator must too. Key generation costs a few milliseconds (ECDSA), yet
every test starts an emulator: `session_tls()` makes one CA and one server certificate per process
and every emulator shares its SSL context.
"""

from __future__ import annotations

import functools
import ssl
import threading

import trustme

#: The names a kubeconfig written by the emulator uses to reach it.
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class ClusterTLS:
    """One cluster's certificates: the CA clients must trust and the certificate the server presents.

    `hosts` are the names the server certificate is valid for; a certificate for other names stands
    in for a server that is not the one the kubeconfig meant (a hostname mismatch). Pass `ca` to
    sign with an existing authority instead of a new one.
    """

    def __init__(self, *, hosts: tuple[str, ...] = LOCAL_HOSTS, ca: trustme.CA | None = None) -> None:
        self.ca = ca or trustme.CA(organization_name="kube-emulator")
        self.hosts = hosts
        self._server_cert = self.ca.issue_cert(*hosts, organization_name="kube-emulator")
        self._context: ssl.SSLContext | None = None
        self._lock = threading.Lock()

    @property
    def ca_pem(self) -> bytes:
        """What a kubeconfig carries as `certificate-authority-data` (before base64)."""
        return self.ca.cert_pem.bytes()

    def server_context(self) -> ssl.SSLContext:
        """The server side: presents the certificate, and verifies a client certificate when one is sent
        (optional, as kube-apiserver does: token users send none)."""
        with self._lock:
            if self._context is None:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.minimum_version = ssl.TLSVersion.TLSv1_2
                self._server_cert.configure_cert(context)
                self.ca.configure_trust(context)
                context.verify_mode = ssl.CERT_OPTIONAL
                context.set_alpn_protocols(["http/1.1"])  # no HTTP/2: clients fall back to HTTP/1.1
                self._context = context
            return self._context

    def client_certificate(self, user: str) -> tuple[bytes, bytes]:
        """(certificate PEM, private key PEM) whose common name is `user`, as kube-apiserver reads it."""
        leaf = self.ca.issue_cert(common_name=user, organization_name="kube-emulator")
        return leaf.cert_chain_pems[0].bytes(), leaf.private_key_pem.bytes()


@functools.cache
def session_tls() -> ClusterTLS:
    """The PKI every emulator in this process shares unless given its own."""
    return ClusterTLS()


def peer_user(sock: object) -> str | None:
    """The user a verified client certificate names (its common name), or None without one."""
    getpeercert = getattr(sock, "getpeercert", None)
    if getpeercert is None:
        return None
    cert = getpeercert()
    if not cert:
        return None
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None
