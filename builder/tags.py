"""Tag pages: the published warnings under each of their tags, at `warnings/tag/<pinyin>/`."""

from __future__ import annotations

from dataclasses import dataclass

from builder.directory import slugs
from builder.model import Article
from builder.pinyin import name_sort_key


@dataclass(frozen=True)
class Tag:
    """One tag with the warnings that carry it (newest first) and its ASCII slug."""

    label: str
    slug: str
    warnings: tuple[Article, ...]

    @property
    def url(self) -> str:
        """The tag page's route, e.g. `warnings/tag/yufuka/`."""
        return f"warnings/tag/{self.slug}/"


def tag_pages(warnings: tuple[Article, ...]) -> dict[str, Tag]:
    """Every tag of the published warnings (given newest first), by label, in pinyin order."""
    found: dict[str, list[Article]] = {}
    for warning in warnings:
        for label in dict.fromkeys(warning.tags):
            found.setdefault(label, []).append(warning)
    names = slugs(sorted(found))
    return {label: Tag(label, names[label], tuple(found[label])) for label in sorted(found, key=name_sort_key)}
