"""The Atom feed of warnings and the sitemap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from xml.sax.saxutils import escape

from builder.model import Article, SiteConfig


def _quote(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def atom(config: SiteConfig, warnings: Sequence[Article]) -> str:
    """An Atom 1.0 feed of the warnings, newest first (dates from the data, never the clock)."""
    updated = max((w.date for w in warnings if w.date), default=dt.date(1970, 1, 1))
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{_quote(config.language)}">',
        f"  <title>{escape(config.title)} · 消费警示</title>",
        f'  <link rel="alternate" type="text/html" href="{_quote(config.base_url)}warnings/"/>',
        f'  <link rel="self" type="application/atom+xml" href="{_quote(config.base_url)}feed.xml"/>',
        f"  <id>{escape(config.base_url)}feed.xml</id>",
        f"  <updated>{updated.isoformat()}T00:00:00+08:00</updated>",
        f"  <author><name>{escape(config.organizer)}</name></author>",
    ]
    for warning in warnings:
        url = f"{config.base_url}warnings/{warning.slug}/"
        date = warning.date.isoformat() if warning.date else "1970-01-01"
        lines += [
            "  <entry>",
            f"    <title>{escape(warning.title)}</title>",
            f'    <link rel="alternate" type="text/html" href="{_quote(url)}"/>',
            f"    <id>{escape(url)}</id>",
            f"    <updated>{date}T00:00:00+08:00</updated>",
            f'    <category term="{_quote(warning.kind)}"/>',
            f"    <summary>{escape(warning.summary)}</summary>",
            # xml:base: the article's own links (images, attachments) are relative to its page
            f'    <content type="html" xml:base="{_quote(url)}">{escape(warning.html)}</content>',
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def sitemap(base_url: str, routes: list[tuple[str, dt.date | None]]) -> str:
    """A sitemap of every page route (e.g. `merchants/X/`) with its last-modified date."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for route, modified in routes:
        lines.append(f"  <url><loc>{escape(base_url + route)}</loc>"
                     + (f"<lastmod>{modified.isoformat()}</lastmod>" if modified else "") + "</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
