"""Formats of identifiers, shared by database constraints and filter validation.

Anchored with \\A and \\Z (not ^ and $): in Python and SQLite's REGEXP, $ also matches
before a trailing newline, so "RU\\n" would pass on one database and fail on the other.
"""

import re

WIKIDATA_ID = r"\AQ[1-9][0-9]*\Z"
COUNTRY_CODE = r"\A[A-Z]{2}\Z"
LANGUAGE_TAG = r"\A[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z"
CAMEO_CODE = r"\A[0-9]{2,4}\Z"

# A URI (RFC 3986) as the API's schema promises it (format: uri): ASCII letters, digits and
# the characters the RFC allows unescaped, anything else percent-encoded, one "#" at most.
# Django's URLField takes whatever is not whitespace, "<", '"' and "é" included. ("[" and "]"
# belong to IPv6 literal hosts only, which no source needs; they are refused too.)
_URI_CHARACTER = r"(?:[-A-Za-z0-9._~:/?@!$&'()*+,;=]|%[0-9A-Fa-f]{2})"
URI = rf"\A{_URI_CHARACTER}*(?:#{_URI_CHARACTER}*)?\Z"
# "%%": the validator and the constraint both format their message with %.
URI_MESSAGE = (
    "A URL may hold only the characters a URI allows: percent-encode any other, as a browser's "
    "address bar does when you copy from it (a space as %%20, “é” as %%C3%%A9, “<” as %%3C), and a host "
    "name in its ASCII form (xn--…)."
)


def percent_encode_uri(value):
    """``value`` with every character a URI does not allow percent-encoded (UTF-8), a "%" that
    starts no escape as %25, and every "#" after the first as %23: the same address, as a URI.
    A host name outside ASCII ("bücher.example") becomes its IDNA form ("xn--bcher-kva.example"),
    as browsers send it: percent-encoded, it would name no host."""
    value = _ascii_host(value)
    out, fragment = [], False
    for match in re.finditer(r"%[0-9A-Fa-f]{2}|.", value, re.DOTALL):
        part = match.group()
        if len(part) == 3 or re.fullmatch(r"[-A-Za-z0-9._~:/?@!$&'()*+,;=]", part):
            out.append(part)
        elif part == "#" and not fragment:
            fragment = True
            out.append(part)
        else:
            out.append("".join(f"%{byte:02X}" for byte in part.encode()))
    return "".join(out)


def _ascii_host(value):
    match = re.match(
        r"(?P<head>[A-Za-z][-A-Za-z0-9+.]*://(?:[^/?#@]*@)?)(?P<host>[^/?#:]*)(?P<tail>.*)", value, re.DOTALL
    )
    if match is None or match["host"].isascii():
        return value
    try:
        host = match["host"].encode("idna").decode("ascii")
    except UnicodeError:
        return value  # not a host IDNA can write: percent-encoded like the rest, and refused on save
    return match["head"] + host + match["tail"]
