"""A local demonstration CA and a signing certificate for content credentials.

``make demo`` creates them under ``var/provenance/`` on first run. They let the
demo sign real C2PA manifests; a verifier elsewhere reports them as valid but
not trusted, because nobody outside this installation trusts this CA. A school
in production uses a certificate from a CA on the C2PA trust list instead (see
the README).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class DemoCA:
    root_cert: Path
    signing_chain: Path
    signing_key: Path


def demo_ca_paths(directory: Path) -> DemoCA:
    return DemoCA(
        root_cert=directory / "demo-root-ca.pem",
        signing_chain=directory / "signing-chain.pem",
        signing_key=directory / "signing-key.pem",
    )


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def create_demo_ca(directory: Path, *, school_name: str, overwrite: bool = False) -> DemoCA:
    """Write a root CA and an ES256 signing certificate it issued; keep existing ones unless ``overwrite``."""
    paths = demo_ca_paths(directory)
    if not overwrite and all(path.is_file() for path in (paths.root_cert, paths.signing_chain, paths.signing_key)):
        return paths
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    organisation = x509.NameAttribute(NameOID.ORGANIZATION_NAME, school_name[:64] or "Academy")
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Academy demonstration CA"), organisation])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    signer = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{school_name[:40]} content signing"), organisation])
        )
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        # C2PA accepts signing certificates with the emailProtection or documentSigning usages.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths.root_cert.write_bytes(root.public_bytes(pem))
    paths.signing_chain.write_bytes(signer.public_bytes(pem) + root.public_bytes(pem))
    paths.signing_key.touch(mode=0o600)
    paths.signing_key.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths
