"""Dockerfile words: quoting, escapes and `$` expansion."""

from __future__ import annotations

from codegenie_core.parsers.dockerfile_words import Words, expand, split_raw, split_words


def test_words_split_on_blanks_and_quotes_group() -> None:
    assert split_words("""a "b c" 'd $e' f\\ g""").words == ("a", "b c", "d $e", "f g")


def test_variables_are_not_expanded_without_an_environment() -> None:
    assert split_words("$A ${B}").words == ("$A", "${B}")


def test_all_expansion_forms() -> None:
    env = {"SET": "v", "EMPTY": ""}

    assert split_words(
        "$SET ${SET} ${EMPTY:-d1} ${EMPTY-d2} ${SET:+alt} ${EMPTY:+no} ${EMPTY+yes} ${UNSET+no}",
        env=env,
    ) == Words(words=("v", "v", "d1", "", "alt", "", "yes", ""), unresolved=())


def test_unset_variables_expand_to_nothing_and_are_named() -> None:
    assert expand("img:${TAG}-$SUFFIX", env={}) == Words(
        words=("img:-",), unresolved=("TAG", "SUFFIX")
    )


def test_single_quotes_and_escaped_dollars_are_literal() -> None:
    assert split_words("'$A' \\$A \"\\$A\"", env={"A": "x"}).words == ("$A", "$A", "$A")


def test_backtick_escape_character() -> None:
    assert split_words("a` b", escape="`").words == ("a b",)


def test_nested_defaults_expand() -> None:
    assert expand("${A:-${B:-deep}}", env={}).words == ("deep",)


def test_raw_split_keeps_quotes_and_escapes_and_splits_outside_quotes() -> None:
    assert split_raw("""A="x y" B='$c d' C=e\\ f G""") == ('A="x y"', "B='$c d'", "C=e\\ f", "G")
