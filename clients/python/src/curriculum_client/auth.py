"""Authentication hooks.

Protocol version 1 has no authentication field and the coordinator authenticates
nobody yet; what exists today is transport security: with ``tls+tcp://`` endpoints
the worker verifies the coordinator's certificate (``tls_ca_file``, ``tls_server_name``).

The client is built so that worker authentication can be added without changing how
trainers use it: every envelope the worker sends (joins, reports, heartbeats, leaves)
passes through :meth:`Authenticator.sign` right before it is serialized, and every
retransmission is signed again (a report's ``resend_floor`` changes between
attempts). When the protocol gains, say, an ``auth`` field on ``Envelope`` (an HMAC
over the body, or a bearer token on ``Join``), an authenticator fills it there, and a
``JoinRejected`` for bad credentials already surfaces as :class:`JoinRejected`.
"""

from __future__ import annotations

from typing import Optional

from .proto import curriculum_pb2 as pb

try:  # Python 3.8+
    from typing import Protocol, runtime_checkable
except ImportError:  # pragma: no cover
    from typing_extensions import Protocol, runtime_checkable  # type: ignore

__all__ = ["Authenticator", "NoAuthentication", "TLSSettings"]


@runtime_checkable
class Authenticator(Protocol):
    """Adds credentials to an outgoing envelope, in place."""

    def sign(self, envelope: pb.Envelope) -> None: ...


class NoAuthentication:
    """What the version 1 coordinator expects: nothing."""

    def sign(self, envelope: pb.Envelope) -> None:
        return None


class TLSSettings:
    """Client-side TLS for ``tls+tcp://`` endpoints: verify the coordinator's certificate.

    ``ca_file`` is a PEM file of the certificate authority (or the coordinator's
    self-signed certificate); ``server_name`` the name to check the certificate against
    when it differs from the host in the URL.
    """

    def __init__(self, ca_file: str, server_name: Optional[str] = None) -> None:
        self.ca_file = ca_file
        self.server_name = server_name

    def to_pynng(self):  # pragma: no cover - needs a TLS endpoint
        import pynng

        return pynng.TLSConfig(
            pynng.TLSConfig.MODE_CLIENT, ca_files=[self.ca_file], server_name=self.server_name
        )
