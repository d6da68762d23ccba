"""What a Dockerfile's facts must not carry: credential-named values and URL credentials (pure).

Rule 1: a name looks like a credential when it contains, ignoring case, one of
`CREDENTIAL_NAME_PARTS`; its value is recorded as `REDACTED` and never substituted (ADR-0027).
A false positive (`AUTHOR`, `MONKEY`) costs a redacted value, a false negative a leak.
Rule 2: every `scheme://userinfo@host` in a recorded text loses its userinfo, except over ssh,
where the user name (a login) is kept and only a password is dropped, as the git probe does.
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
_SSH_SCHEMES = frozenset({"ssh", "git+ssh", "ssh+git"})
# RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ); an authority ends at "/", "?",
# "#", and, inside a command line or JSON text, at a blank or a quote.
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")
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
        start = marker
        while start > position and text[start - 1] in _SCHEME_CHARS:
            start -= 1
        scheme = text[start:marker].lower()
        authority_start = marker + 3
        end = authority_start
        while end < len(text) and text[end] not in _AUTHORITY_ENDS:
            end += 1
        userinfo, at, _ = text[authority_start:end].rpartition("@")
        if at:
            out.append(text[position:authority_start])
            user = userinfo.split(":", 1)[0]
            if scheme in _SSH_SCHEMES and user:
                out.append(user + "@")
            position = authority_start + len(userinfo) + 1
        search = max(end, authority_start)
    out.append(text[position:])
    return "".join(out)
