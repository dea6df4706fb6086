#!/usr/bin/env python3
"""An independent implementation of proto/README.md's signing rules: prints the test vectors that
SigningVectorsTest checks the Java code against. Needs Python 3 and `cryptography`."""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def text(s):
    return bytes_(s.encode("utf-8"))


def bytes_(b):
    return struct.pack(">I", len(b)) + b


def int32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def int64(v):
    return struct.pack(">Q", v & 0xFFFFFFFFFFFFFFFF)


def params(p):
    out = int32(len(p))
    for k in sorted(p, key=lambda k: k.encode("utf-8")):
        out += text(k) + text(p[k])
    return out


seed = bytes(range(32))
key = Ed25519PrivateKey.from_private_bytes(seed)
public_x509 = key.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
key_id = hashlib.sha256(public_x509).hexdigest()[:16]
nonce = bytes(range(0xA0, 0xB0))

command = (
    text("citybrain.v1.Command") + text("cmd-0001") + text("DP-BAR-00002") + text("DP")
    + text("close") + params({"reason": "flood", "lane": "2", "\u00e9tage": "1"})
    + int64(1_790_000_000_000) + int64(1_790_000_010_000) + text("run-7") + int32(2)
    + text("") + text(key_id) + bytes_(nonce))
signature = key.sign(command)
digest = hashlib.sha256(command).digest()

ack_key = bytes(range(0x40, 0x60))
ack = (
    text("citybrain.v1.CommandAck") + text("cmd-0001") + text("DP-BAR-00002") + text("DP")
    + int32(2) + text("close done") + int64(1_790_000_001_000) + int64(42) + text("run-7")
    + int32(2) + bytes_(digest))
ack_mac = hmac.new(ack_key, ack, hashlib.sha256).digest()

print("public key (X.509 DER) ", public_x509.hex())
print("key id                 ", key_id)
print("command bytes          ", command.hex())
print("command signature      ", signature.hex())
print("command digest         ", digest.hex())
print("ack bytes              ", ack.hex())
print("ack signature          ", ack_mac.hex())
