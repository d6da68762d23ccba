"""The portfolio page as HTML: Jinja2 templates with autoescape on, inline SVG charts, and a
Content-Security-Policy that forbids every load (see ADR-0075).

Rule 1: every value reaches the HTML through Jinja2's autoescape (the templates use no `|safe`
and build no markup from data); a link's target is only ever a report file name made by
`codegenie_core.portfolio_page.report_file_name` or a repository page's own name.
Rule 2: the page loads nothing: no script, no remote style, font or image; the one `<style>`
element is allowed by its digest in the CSP (`default-src 'none'`), charts are inline SVG
drawn with presentation attributes, and every chart names the table beside it
(`aria-describedby`), which holds the same numbers as text.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from codegenie_core.portfolio_page import Page, RepositoryPage

_STYLE = """
body{font-family:sans-serif;margin:2em;max-width:72em;color:#1a1a1a}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}
td.n{text-align:right}
figure{margin:1em 0}
.more{font-style:italic}
nav a{margin-right:.6em}
"""
assert not set(_STYLE) & set("&<>\"'"), "the style must read the same escaped (its digest)"
STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; img-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)

_MACROS = """
{%- macro table(t, id) -%}
<table id="{{ id }}">
<thead><tr>{% for c in t.columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{%- for row in t.rows %}
<tr>{% for cell in row %}<td{% if cell.text.isdigit() %} class="n"{% endif %}>
{%- if cell.href %}<a href="{{ cell.href }}">{{ cell.text }}</a>
{%- else %}{{ cell.text }}{% endif -%}
</td>{% endfor %}</tr>
{%- endfor %}
</tbody>
</table>
{%- if t.more %}
<p class="more">… and {{ t.more }} more {{ t.more_what }}
 (this table shows {{ t.rows|length }}).</p>
{%- endif %}
{%- endmacro -%}
{%- macro chart(c, id, table_id) -%}
<figure>
<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{{ c.width }}" height="{{ c.height }}"
 viewBox="0 0 {{ c.width }} {{ c.height }}" aria-labelledby="{{ id }}-title"
 aria-describedby="{{ table_id }}" data-table="{{ table_id }}">
<title id="{{ id }}-title">{{ c.title }}: repositories (the table below has the numbers)</title>
{%- for b in c.bars %}
<g>
<text x="{{ c.label_width - 6 }}" y="{{ b.y + c.bar_height - 7 }}" text-anchor="end"
 font-size="12" fill="#1a1a1a">{{ b.label|truncate(36, true, "…", 0) }}</text>
<rect x="{{ c.label_width }}" y="{{ b.y + 3 }}" width="{{ b.width }}"
 height="{{ c.bar_height - 6 }}" fill="#3b6ea5"></rect>
<text x="{{ c.label_width + b.width + 4 }}" y="{{ b.y + c.bar_height - 7 }}" font-size="12"
 fill="#1a1a1a">{{ b.value }}</text>
</g>
{%- endfor %}
</svg>
<figcaption>{{ c.title }}: the first {{ c.bars|length }} rows of the table below.</figcaption>
</figure>
{%- endmacro -%}
"""

_HEAD = """{%- import "macros" as m -%}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="referrer" content="no-referrer">
<title>{{ title }}</title>
<style>{{ style }}</style>
</head>
"""

_INDEX = (
    _HEAD
    + """<body>
<h1>{{ page.title }}</h1>
<nav>{% for s in page.sections %}<a href="#{{ s.slug }}">{{ s.title }}</a>{% endfor %}
<a href="#repositories">Repositories</a></nav>
<h2 id="summary">Summary</h2>
<table id="summary-table"><tbody>
{%- for k, v in page.summary %}<tr><th scope="row">{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}
</tbody></table>
{%- for s in page.sections %}
<section id="{{ s.slug }}">
<h2>{{ s.title }}</h2>
<p>{{ s.question }}</p>
{%- if s.chart %}{{ m.chart(s.chart, s.slug ~ "-chart", s.slug ~ "-table-1") }}{% endif %}
{%- for t in s.tables %}
{{ m.table(t, s.slug ~ "-table-" ~ loop.index) }}
{%- endfor %}
{%- for n in s.notes %}<p>{{ n }}</p>{% endfor %}
</section>
{%- endfor %}
<section id="repositories">
<h2>Repositories</h2>
<p>Every repository's latest result, {{ per_page }} to a page, each with a link to its
Markdown report (made from the document in the store).</p>
{%- if page.repository_pages %}
<nav>{% for p in page.repository_pages -%}
<a href="{{ p.file_name }}">page {{ p.number }}</a>{% endfor %}</nav>
{%- else %}<p>The store holds no repository.</p>{% endif %}
</section>
</body>
</html>
"""
)

_REPOSITORIES = (
    _HEAD
    + """<body>
<h1>{{ title }}</h1>
<nav><a href="index.html">portfolio</a>
{%- for p in pages %}<a href="{{ p.file_name }}">page {{ p.number }}</a>{% endfor %}</nav>
{{ m.table(current.table, "repositories-table") }}
</body>
</html>
"""
)


def _environment() -> Any:
    import jinja2  # only `portfolio report` pays for it

    return jinja2.Environment(
        loader=jinja2.DictLoader(
            {"macros": _MACROS, "index": _INDEX, "repositories": _REPOSITORIES}
        ),
        autoescape=True,  # Rule 1
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


class PageRenderer:
    """Renders a page's files; build one per page (it holds the compiled templates)."""

    def __init__(self) -> None:
        self._env = _environment()

    def index(self, page: Page, *, per_page: int) -> str:
        template = self._env.get_template("index")
        return str(
            template.render(page=page, title=page.title, per_page=per_page, csp=CSP, style=_STYLE)
        )

    def repositories(self, page: Page, current: RepositoryPage) -> str:
        template = self._env.get_template("repositories")
        title = f"{page.title}: repositories, page {current.number}"
        return str(
            template.render(
                title=title, pages=page.repository_pages, current=current, csp=CSP, style=_STYLE
            )
        )
