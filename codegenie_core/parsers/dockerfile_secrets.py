"""What a Dockerfile's facts must not carry: credential-named values and URL credentials (pure).

Rule 1: a name looks like a credential when it contains, ignoring case, one of
`CREDENTIAL_NAME_PARTS`; its value is recorded as `REDACTED` and never substituted (ADR-0027).
A false positive (`AUTHOR`, `MONKEY`) costs a redacted value, a false negative a leak.
Rule 2: every `scheme://userinfo@host` in a recorded text loses its whole userinfo, the user
name too, over ssh as well: the rule the git probe follows for remotes (ADR-0024).
Rule 3: both are linear in the text: URLs are found from each `://`, never by a regex that could
rescan a long run of scheme characters at every position.
"""

from __future__ import annotations

REDACTED = "***"
CREDENTIAL_NAME_PARTS = (
    "PASSWORD",
    "PASSWD",
    "PWD",
    "TOKEN",
    "SECRET",
    "KEY",  # also API_KEY, ACCESS_KEY, PRIVATE_KEY
    "CREDENTIAL",
    "AUTH",
    "PRIVATE",
)
# RFC 3986: authority = [ userinfo "@" ] host [ ":" port ], after "://"; it ends at "/", "?",
# "#", and, inside a command line or JSON text, at a blank or a quote.
_AUTHORITY_ENDS = frozenset("/?# \t\r\n\"'`\\[](),;")


def looks_like_credential(name: str) -> bool:
    """Whether a variable named `name` may hold a secret (Rule 1)."""
    upper = name.upper()
    return any(part in upper for part in CREDENTIAL_NAME_PARTS)


def strip_url_credentials(text: str) -> str:
    """`text` with the userinfo of every URL in it removed (Rule 2). Idempotent."""
    if "@" not in text or "://" not in text:
        return text
    out: list[str] = []
    position = 0  # text[:position] is already in `out`
    search = 0
    while (marker := text.find("://", search)) != -1:
        authority_start = marker + 3
        end = authority_start
        while end < len(text) and text[end] not in _AUTHORITY_ENDS:
            end += 1
        userinfo, at, _ = text[authority_start:end].rpartition("@")
        if at:
            out.append(text[position:authority_start])
            position = authority_start + len(userinfo) + 1
        search = max(end, authority_start)
    out.append(text[position:])
    return "".join(out)
