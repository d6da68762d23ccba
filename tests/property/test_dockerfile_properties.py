"""Properties of the Dockerfile parsers: total on any text; rendering is a faithful round trip."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from codegenie_core.parsers.dockerfile import DockerfileSyntax, parse_dockerfile, render_dockerfile
from codegenie_core.parsers.dockerfile_facts import describe_dockerfile, interpret
from codegenie_core.parsers.dockerfile_secrets import looks_like_credential, strip_url_credentials
from codegenie_core.parsers.dockerfile_words import expand, split_raw, split_words
from codegenie_core.parsers.image_reference import parse_image_reference
from codegenie_core.probes.layer_a.git import strip_credentials
from tests.reference_parsers import reference_interpret
from tests.strategies import (
    dockerfile_stage_texts,
    dockerfile_texts,
    url_hosts,
    url_paths,
    url_schemes,
    url_users,
)


def content(syntax: DockerfileSyntax) -> tuple[object, ...]:
    """What a render must keep: directives, escape, and each instruction but its line number."""
    return (
        syntax.directives,
        syntax.escape,
        tuple((i.keyword, i.arguments, i.heredocs) for i in syntax.instructions),
    )


@given(dockerfile_texts)
def test_parsing_and_describing_never_raise(text: str) -> None:
    facts = describe_dockerfile(text)

    assert all(problem.line >= 1 for problem in facts.problems)


def renderable(parsed: DockerfileSyntax) -> bool:
    """False for the one text render cannot write back: a logical line ending in the escape
    character, which only a continuation running into the end of the file produces (Rule 3)."""
    return not any((i.arguments or i.keyword).endswith(parsed.escape) for i in parsed.instructions)


@given(dockerfile_texts)
def test_render_then_parse_keeps_directives_and_instructions(text: str) -> None:
    parsed = parse_dockerfile(text)
    assume(renderable(parsed))

    assert content(parse_dockerfile(render_dockerfile(parsed))) == content(parsed)


@given(dockerfile_texts)
def test_render_is_idempotent(text: str) -> None:
    parsed = parse_dockerfile(text)
    assume(renderable(parsed))
    once = render_dockerfile(parsed)

    assert render_dockerfile(parse_dockerfile(once)) == once


@given(
    st.text(max_size=60), st.dictionaries(st.sampled_from(["A", "B", "_c"]), st.text(max_size=5))
)
def test_word_splitting_and_expansion_never_raise(text: str, env: dict[str, str]) -> None:
    words = split_words(text, env=env)
    expanded = expand(text, env=env)

    assert not (set(words.unresolved) | set(expanded.unresolved)) & set(env)


@given(st.text(max_size=60))
def test_image_reference_parsing_never_raises_and_keeps_the_name(reference: str) -> None:
    image, _problem = parse_image_reference(reference)

    assert image.name is not None and image.name in reference


@given(st.text(alphabet=" \t\\`'\"ab$=", max_size=30))
def test_raw_words_rejoined_with_spaces_split_the_same(text: str) -> None:
    words = split_raw(text)

    assert split_raw(" ".join(words)) == words


@given(st.one_of(dockerfile_stage_texts, dockerfile_texts))
def test_the_linear_interpretation_equals_the_simple_reference(text: str) -> None:
    # The reference knows nothing of redaction: keep to texts it does not apply to.
    assume(not looks_like_credential(text) and "@" not in text)
    syntax = parse_dockerfile(text)

    linear, reference = interpret(syntax), reference_interpret(syntax)

    assert (linear.directives, linear.stages, linear.final, linear.problems) == (
        reference.directives,
        reference.stages,
        reference.final,
        reference.problems,
    )
    assert linear.build_args.items() <= reference.build_args.items()


@given(url_schemes, url_users, url_users, url_hosts, url_paths)
def test_url_credentials_in_text_are_stripped_as_the_git_probe_strips_a_url(
    scheme: str, user: str, password: str, host: str, path: str
) -> None:
    url = f"{scheme}://{user}:{password}@{host}/{path}"

    stripped = strip_url_credentials(f"curl -f {url} ok")

    assert stripped == f"curl -f {strip_credentials(url)} ok"
    assert strip_url_credentials(stripped) == stripped


@given(st.text(alphabet="ab:/@ \"'", max_size=40))
def test_stripping_url_credentials_is_idempotent_and_only_removes(text: str) -> None:
    stripped = strip_url_credentials(text)

    assert strip_url_credentials(stripped) == stripped
    assert len(stripped) <= len(text)
