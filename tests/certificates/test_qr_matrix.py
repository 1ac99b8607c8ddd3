"""The certificate's QR matrix is exactly segno's, for every length of text a payload can have."""

from __future__ import annotations

import random
import string

import pytest
import segno

from handlers.certificates.qr_matrix import qr_matrix
from handlers.certificates.signing import Payload, sign_payload

ALPHABETS = {
    "payload": string.ascii_letters + string.digits + "-_.=",
    "numeric": string.digits,
    "alphanumeric": string.ascii_uppercase + string.digits + " $%*+-./:",
    "japanese": "住民票の写し日本語abc",
}


def _segno(text: str) -> list[bytes]:
    return [bytes(row) for row in segno.make(text, error="m", micro=False, mask=0).matrix]


@pytest.mark.parametrize("alphabet", sorted(ALPHABETS))
def test_the_matrix_is_segnos_for_texts_of_every_length(alphabet: str) -> None:
    rng = random.Random(alphabet)
    for length in range(1, 700, 9):
        text = "".join(rng.choice(ALPHABETS[alphabet]) for _ in range(length))
        assert [bytes(row) for row in qr_matrix(text)] == _segno(text), (alphabet, length)


def test_the_matrix_of_a_signed_certificate_payload_is_segnos() -> None:
    for serial in range(20):
        text, _signature = sign_payload(
            Payload("141003", f"R08-{serial:06d}", "2026-11-26", "copy_individual", f"{serial:064x}")
        )
        assert [bytes(row) for row in qr_matrix(text)] == _segno(text)
