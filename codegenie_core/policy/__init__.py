"""Judging context documents: `--fail-on` gates and the diff of two documents, over plain data.

Rule 1: everything here reads the document as JSON would read it back (plain dicts and lists),
never the slice types, so a document read from a file, a cache or a portfolio store is judged the
same way as one just gathered (see ADR-0058, ADR-0060).
"""
