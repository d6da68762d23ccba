"""The purl fast path (codegenie_core.parsers.purl, Rule 3) agrees with packageurl-python on
every name and version, the common ones and the awkward ones."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from codegenie_core.parsers.purl import ECOSYSTEMS, purl, purl_by_packageurl

_PLAIN = st.text(alphabet="abcXYZ019._~-", min_size=1, max_size=8)
_ANY = st.text(min_size=1, max_size=8).filter(lambda s: s.strip(" /"))
parts = st.one_of(_PLAIN, _ANY)
names = st.one_of(
    parts,
    st.tuples(st.sampled_from(["@", ""]), parts, parts).map(lambda t: f"{t[0]}{t[1]}/{t[2]}"),
    st.tuples(parts, parts).map(":".join),
    st.lists(parts, min_size=2, max_size=4).map("/".join),
)
versions = st.one_of(st.none(), st.just(""), _PLAIN, st.text(max_size=8), st.just("1.0.0+build"))


@given(st.sampled_from(ECOSYSTEMS), names, versions)
@example("npm", "@Babel/Core", "7.24.0")
@example("pypi", "Foo_Bar", "1.0 ")
@example("composer", "Laravel/Framework", "v11.4.0")
@example("golang", "github.com/x/y/v2", "v2.0.1")
@example("maven", "org.apache:commons-lang3", "3.14.0")
@example("nuget", "newtonsoft.json", "1:2")
@example("npm", "left-pad", "1.0.0+build")
@example("cargo", "\r", None)
def test_the_fast_path_agrees_with_packageurl(
    ecosystem: str, name: str, version: str | None
) -> None:
    try:
        expected = purl_by_packageurl(ecosystem, name, version)
    except (ValueError, TypeError) as refused:  # packageurl refuses it (an empty name once
        # stripped raises ValueError or TypeError, by version): so must the fast path, alike
        try:
            purl(ecosystem, name, version)
        except type(refused):
            return
        raise AssertionError("the fast path accepted what packageurl refuses") from None
    assert purl(ecosystem, name, version) == expected
