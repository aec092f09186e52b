"""Markdown to safe HTML for guidance documents: raw HTML in the source is escaped, not passed on."""

from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown_to_html(text: str) -> str:
    return mark_safe(_md.render(text or ""))  # noqa: S308  (html=False: the renderer escapes raw HTML)
