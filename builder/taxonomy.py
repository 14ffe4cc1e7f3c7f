"""Reading content/taxonomy.yaml: categories (optionally in groups), demands and results."""

from __future__ import annotations

from builder.codes import say
from builder.errors import Problems
from builder.fields import Fields, type_name
from builder.model import Taxonomy
from builder.source import MarkedList, MarkedMap

TAXONOMY_KEYS = ["categories", "demands", "results"]


def read_taxonomy(data: object, shown: str, problems: Problems) -> Taxonomy | None:
    """Check the taxonomy mapping and build the Taxonomy (None when unusable)."""
    if not isinstance(data, MarkedMap):
        problems.add(shown, 1, 1, "file", say("GS108", "expected categories, demands and results, found {found}",
                                              found=type_name(data)))
        return None
    fields = Fields(problems, shown, data)
    fields.check_keys(TAXONOMY_KEYS)
    categories: list[tuple[str, str]] = []
    block = data.get("categories")
    if isinstance(block, MarkedMap):
        for group in block:
            names = Fields(problems, shown, block, "categories").text_list(group, max_length=100)
            categories.extend((str(group), name) for name in names)
    elif isinstance(block, MarkedList):
        categories.extend(("", name) for name in fields.text_list("categories", max_length=100))
    elif block is not None:
        fields.error("categories", say("GS204", "expected a list or groups of lists, found {found}",
                                       found=type_name(block)))
    return Taxonomy(tuple(categories), fields.text_list("demands"), fields.text_list("results"))
