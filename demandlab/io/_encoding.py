"""Text encodings of input files, detected from their bytes (no imports: any reader may use it)."""

from __future__ import annotations

__all__ = ["utf16_order"]


def utf16_order(data: bytes) -> str | None:
    r"""``utf-16`` (byte-order mark), ``utf-16-le`` or ``utf-16-be`` when ``data`` looks so.

    Without a mark, text that is mostly ASCII has a zero in every other byte.

    Examples
    --------
    >>> utf16_order("a,b\n1,2".encode("utf-16-le")), utf16_order(b"a,b"), utf16_order(b"\xff\xfea")
    ('utf-16-le', None, 'utf-16')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:65536]
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0), odd.count(0)
    if odd and zeros_odd > 0.3 * len(odd) and zeros_odd > 4 * zeros_even:
        return "utf-16-le"
    if even and zeros_even > 0.3 * len(even) and zeros_even > 4 * zeros_odd:
        return "utf-16-be"
    return None
