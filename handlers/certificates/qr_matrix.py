"""The certificate's QR code matrix: exactly ``segno.make(text, error="m", micro=False, mask=0).matrix``, with
the part that depends only on the symbol's version laid out once per process.

segno places each of a symbol's thousands of bits with a Python loop over the whole matrix and then masks the
matrix module by module; for a certificate's payload (version 10–14) that was about a third of a copy's CPU.
Both steps are the same for every payload of a version and error level, and the result is linear in the
codeword bits: the matrix of a payload is the matrix of an all-zero message with one module flipped for each
1 bit.  So a layout keeps the all-zero matrix (finder, timing and alignment patterns, format and version
information, mask) and the module each bit lands on; a payload costs segno's data encoding and Reed–Solomon
codewords (``segno.encoder``, the same functions ``segno.make`` calls) plus one flip per 1 bit.

``tests/certificates/test_qr_matrix.py`` checks the matrices against ``segno.make`` for payloads of every
length a certificate gives.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from itertools import chain, zip_longest
from typing import Any

from segno import consts
from segno import encoder as qr

ERROR_LEVEL = consts.ERROR_LEVEL_M
MASK = 0
_FREE = 0x2  # segno's value of a module no pattern has claimed yet
_CAPACITY: dict[int, dict[int, int]] = consts.SYMBOL_CAPACITY  # type: ignore[assignment]  # untyped in segno
_ECC: dict[int, dict[int, Any]] = consts.ECC  # type: ignore[assignment]


@dataclass(frozen=True)
class _Layout:
    blank: tuple[bytes, ...]  # the matrix of an all-zero message
    cells: tuple[tuple[int, int] | None, ...]  # the module of each codeword bit (None: overwritten later)


_layouts: dict[tuple[int, int], _Layout] = {}
_lock = threading.Lock()


def _placement(template: list[bytearray]) -> list[tuple[int, int]]:
    """The free modules in codeword order: two-module columns from the right, alternately upwards and
    downwards, skipping the vertical timing pattern (segno's ``add_codewords`` for a QR code, not Micro QR)."""
    size, order = len(template), []
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        for vertical in range(size):
            for z in (0, 1):
                j = right - z
                upwards = ((right & 2) == 0) ^ (j < 6)
                i = (size - 1 - vertical) if upwards else vertical
                if template[i][j] == _FREE:
                    order.append((i, j))
    return order


def _symbol(version: int, error: int, codewords: Any) -> list[bytearray]:
    """segno's steps after the codewords: patterns, placement, mask, format and version information."""
    width = qr.calc_matrix_size(version)
    matrix = qr.make_matrix(width, width)
    qr.add_finder_patterns(matrix, width, width)
    qr.add_alignment_patterns(matrix, width, width)
    qr.add_codewords(matrix, codewords, version)
    _mask, matrix = qr.find_and_apply_best_mask(matrix, width, width, MASK)
    qr.add_format_info(matrix, version, error, MASK)
    qr.add_version_info(matrix, version)
    return list(matrix)


def _layout(version: int, error: int, length: int) -> _Layout:
    key = (version, error)
    layout = _layouts.get(key)
    if layout is None:
        with _lock:
            width = qr.calc_matrix_size(version)
            template = qr.make_matrix(width, width)
            qr.add_finder_patterns(template, width, width)
            qr.add_alignment_patterns(template, width, width)
            order = _placement(list(template))
            # every free module gets a bit: the message's remainder bits (zeros) fill the ones after its codewords
            zeros, ones = _symbol(version, error, [0] * len(order)), _symbol(version, error, [1] * len(order))
            cells = tuple(
                cell if zeros[cell[0]][cell[1]] != ones[cell[0]][cell[1]] else None for cell in order
            )
            layout = _layouts[key] = _Layout(tuple(bytes(row) for row in zeros), cells[:length])
    return layout


_DIGITS = bytes.maketrans(b"\x00\x01", b"01")  # a bit → its binary digit
_BYTE_BITS = tuple(bytes((b >> i) & 1 for i in range(7, -1, -1)) for b in range(256))  # a byte's 8 bits


def _segments(text: str) -> Any:
    """segno's ``prepare_data(text, None, None)``; a text that goes in byte mode (every signed payload) takes
    its bits from a table instead of segno's generator per byte."""
    data, length, encoding = qr.data_to_bytes(text, None)
    if qr.find_mode(data) != consts.MODE_BYTE:
        return qr.prepare_data(text, None, None)
    bits = bytearray(b"".join([_BYTE_BITS[b] for b in data]))
    segments = qr.Segments()
    segments.add_segment(qr._Segment(bits, length, consts.MODE_BYTE, encoding))
    return segments


_remainder_tables: dict[int, tuple[int, ...]] = {}


def _remainder_table(size: int) -> tuple[int, ...]:
    """For each byte f, f times segno's generator polynomial of ``size`` error words, as an integer."""
    table = _remainder_tables.get(size)
    if table is None:
        log, exp, generator = consts.GALIOS_LOG, consts.GALIOS_EXP, consts.GEN_POLY[size]
        rows = [0] + [int.from_bytes(bytes(exp[log[f] + g] for g in generator), "big") for f in range(1, 256)]
        table = _remainder_tables[size] = tuple(rows)
    return table


def _error_words(block: bytes, size: int) -> bytes:
    """The block's Reed–Solomon error words: segno's synthetic division (``make_blocks``), one table look-up
    per data byte on the remainder held as an integer."""
    table, shift, mask = _remainder_table(size), 8 * (size - 1), (1 << 8 * size) - 1
    remainder = 0
    for byte in block:
        remainder = ((remainder << 8) & mask) ^ table[byte ^ (remainder >> shift)]
    return remainder.to_bytes(size, "big")


def _blocks(ec_infos: Any, message: bytes) -> tuple[list[bytes], list[bytes]]:
    """segno's ``make_blocks``: the data cut into its blocks, and each block's error words."""
    data_blocks, error_blocks, start = [], [], 0
    for info in ec_infos:
        size = info.num_total - info.num_data
        for _ in range(info.num_blocks):
            block = message[start : start + info.num_data]
            start += info.num_data
            data_blocks.append(block)
            error_blocks.append(_error_words(block, size))
    return data_blocks, error_blocks


def _codewords(text: str) -> tuple[int, int, bytes]:
    """(version, error level, the final message's codewords) as ``segno.make(text, error="m", micro=False)``
    makes them (the smallest version that holds the text; the error level boosted while it still fits; data
    and error-correction blocks interleaved as segno's ``make_final_message`` does, without the remainder
    bits, which are zeros)."""
    segments = _segments(text)
    version = qr.find_version(segments, ERROR_LEVEL, eci=False, micro=False)
    error = qr.boost_error_level(version, ERROR_LEVEL, segments, False)
    buffer = qr.Buffer()
    for segment in segments:
        qr.write_segment(buffer, segment, None, qr.version_range(version), False)
    capacity = _CAPACITY[version][error]
    qr.write_terminator(buffer, capacity, None, len(buffer))
    qr.write_padding_bits(buffer, version, len(buffer))
    qr.write_pad_codewords(buffer, version, capacity, len(buffer))
    bits = buffer.getbits()
    message = int(bytes(bits).translate(_DIGITS), 2).to_bytes(len(bits) // 8, "big")
    data_blocks, error_blocks = _blocks(_ECC[version][error], message)
    data = (x for x in chain.from_iterable(zip_longest(*data_blocks)) if x is not None)
    checks = (x for x in chain.from_iterable(zip_longest(*error_blocks)) if x is not None)
    return version, error, bytes(chain(data, checks))


def qr_matrix(text: str) -> tuple[bytearray, ...]:
    """The QR code of ``text`` (error level M or boosted, mask 0): rows of 0 (light) and 1 (dark) modules."""
    version, error, codewords = _codewords(text)
    layout = _layout(version, error, 8 * len(codewords))
    matrix = tuple(bytearray(row) for row in layout.blank)
    cells = layout.cells
    for index, byte in enumerate(codewords):
        if not byte:
            continue
        for bit in range(8):
            if byte & (0x80 >> bit):
                cell = cells[8 * index + bit]
                if cell is not None:
                    matrix[cell[0]][cell[1]] ^= 1
    return matrix
