"""`#!` lines: the interpreter they name and its language."""

from __future__ import annotations

import pytest

from codegenie_core.parsers.shebang import interpreter_of, language_of_head

CASES = [
    (b"#!/usr/bin/env python3\nimport sys\n", "python", "Python"),
    (b"#!/bin/sh\n", "sh", "Shell"),
    (b"#!/usr/bin/env -S node --flag\n", "node", "JavaScript"),
    (b"#!/usr/bin/env -Snode --flag\n", "node", "JavaScript"),
    (b"#!/usr/bin/perl -w\n", "perl", "Perl"),
    (b"#! /usr/local/bin/python3.12\n", "python", "Python"),
    (b"#!/usr/bin/env -i PATH=/bin -u HOME ruby2.7\r\n", "ruby", "Ruby"),
    (b"#!/usr/bin/env --split-string=bash -e\n", "bash", "Shell"),
    (b"#!/usr/bin/env Rscript\n", "rscript", "R"),
    (b"#!/usr/bin/unheard-of\n", "unheard-of", None),
    (b"#!\n", None, None),
    (b"#!/usr/bin/env\n", None, None),
    (b"#!/usr/bin/env -S\n", None, None),
    (b"print('no shebang')\n", None, None),
    (b"", None, None),
    (b"#!/bin/" + b"a" * 300, "a" * 300, None),  # a head cut short: the line is what there is
    (b"#!/usr/bin/\xff\xfe\n", "\ufffd\ufffd", None),
]


@pytest.mark.parametrize(("head", "interpreter", "language"), CASES)
def test_the_interpreter_and_language_of_a_head(
    head: bytes, interpreter: str | None, language: str | None
) -> None:
    assert (interpreter_of(head), language_of_head(head)) == (interpreter, language)
