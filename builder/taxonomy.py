"""Reading content/taxonomy.yaml: categories (optionally in groups), demands, results and search synonyms."""

from __future__ import annotations

from builder.codes import say
from builder.errors import Message, Problems
from builder.fields import Fields, type_name
from builder.model import Taxonomy
from builder.searchkey import MIN_QUERY, search_key
from builder.source import CONTROL_CHARACTER, MarkedList, MarkedMap

TAXONOMY_KEYS = ["categories", "demands", "results", "synonyms"]
MAX_WORD = 50


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
    return Taxonomy(tuple(categories), fields.text_list("demands"), fields.text_list("results"),
                    read_synonyms(fields, problems, shown))


def read_synonyms(fields: Fields, problems: Problems, shown: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`synonyms`: everyday word → a word (or list of words) the site uses, each found by the search."""
    block = fields.mapping("synonyms")
    if block is None:
        return ()
    sub = Fields(problems, shown, block, "synonyms")
    for key, (line, column) in block.duplicates:
        problems.add(shown, line, column, sub.name(str(key)), say("GS202", "key appears twice in the same mapping"))
    seen: dict[str, tuple[str, int]] = {}
    out: list[tuple[str, tuple[str, ...]]] = []
    for raw in block:
        word = str(raw).strip()
        line, column = block.key_mark(raw)
        name = sub.name(word)
        problem = _word_problem(word)
        if problem:
            problems.add(shown, line, column, name, problem)
            continue
        norm = search_key(word)
        if norm in seen:
            first, first_line = seen[norm]
            problems.add(shown, line, column, name, say("GS301", "the same word as `{first}` (line {line}) once "
                                                                 "spaces, case and full-width forms are ignored",
                                                        first=first, line=first_line))
            continue
        seen[norm] = (word, line)
        terms = _terms(block, raw, name, problems, shown)
        if terms:
            out.append((word, terms))
    return tuple(out)


def _word_problem(word: str) -> Message | None:
    """Why a word cannot be searched for, or None."""
    if CONTROL_CHARACTER.search(word):
        return say("GS205", "contains a control character; delete it")
    if len(word) > MAX_WORD:
        return say("GS206", "text is {length} characters long; at most {limit} are allowed", length=len(word),
                   limit=MAX_WORD)
    if len(search_key(word)) < MIN_QUERY:
        return say("GS206", "a searched word needs at least {count} characters besides spaces and hyphens",
                   count=MIN_QUERY)
    return None


def _terms(block: MarkedMap, raw: object, name: str, problems: Problems, shown: str) -> tuple[str, ...]:
    """The words a synonym stands for (one text or a list of texts), each checked with its position."""
    value = block[raw]
    if isinstance(value, MarkedList):
        listed = [(item, value.item_mark(i), f"{name}[{i + 1}]") for i, item in enumerate(value)]
    else:
        listed = [(value, block.value_mark(raw), name)]
    terms: list[str] = []
    word = search_key(str(raw))
    for item, (line, column), shown_name in listed:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
            problems.add(shown, line, column, shown_name,
                         say("GS204", "expected the word (or list of words) it stands for, found {found}",
                             found=type_name(item)))
            continue
        term = str(item).strip()
        problem = _word_problem(term)
        if not problem and search_key(term) == word:
            problem = say("GS211", "is the word itself: give the words the site uses instead")
        if problem:
            problems.add(shown, line, column, shown_name, problem)
        elif term not in terms:
            terms.append(term)
    return tuple(terms)

