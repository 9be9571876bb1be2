"""Keys and certificates the sandbox makes at start.

A throwaway CA signs the server's TLS certificate for 127.0.0.1/localhost; clients
trust that CA through ``ca_bundle``. A separate key pair stands for a connected
app's JWT certificate: the client signs with the private key, the server verifies
with the certificate, as Salesforce does with the one uploaded to the app.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass
class Material:
    ca_bundle: Path
    server_cert: Path
    server_key: Path
    jwt_private_key: Path
    jwt_certificate: Path


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _tls_key() -> ec.EllipticCurvePrivateKey:
    # EC keys are made in microseconds; RSA is only needed where JWT RS256 demands it
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Recon Workbench sandbox"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def generate(out_dir: Path) -> Material:
    out_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC) - timedelta(minutes=5)
    until = now + timedelta(days=30)

    ca_key = _tls_key()
    ca = (x509.CertificateBuilder().subject_name(_name("Recon Workbench sandbox CA"))
          .issuer_name(_name("Recon Workbench sandbox CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(until)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))

    srv_key = _tls_key()
    srv = (x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca.subject)
           .public_key(srv_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now).not_valid_after(until)
           .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                       x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                          critical=False)
           .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
           .sign(ca_key, hashes.SHA256()))

    jwt_key = _key()
    jwt_cert = (x509.CertificateBuilder().subject_name(_name("workbench-connected-app"))
                .issuer_name(_name("workbench-connected-app")).public_key(jwt_key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(until)
                .sign(jwt_key, hashes.SHA256()))

    m = Material(out_dir / "ca.pem", out_dir / "server.pem", out_dir / "server.key",
                 out_dir / "jwt_private_key.pem", out_dir / "jwt_certificate.pem")
    m.ca_bundle.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    m.server_cert.write_bytes(srv.public_bytes(serialization.Encoding.PEM))
    _write_key(srv_key, m.server_key)
    _write_key(jwt_key, m.jwt_private_key)
    m.jwt_certificate.write_bytes(jwt_cert.public_bytes(serialization.Encoding.PEM))
    return m
