"""Reading content/taxonomy.yaml: categories (optionally in groups), demands, results and search synonyms."""

from __future__ import annotations

from builder.errors import Problems
from builder.fields import Fields, type_name
from builder.model import Taxonomy
from builder.searchkey import MIN_QUERY, search_key
from builder.source import CONTROL_CHARACTER, MarkedList, MarkedMap

TAXONOMY_KEYS = ["categories", "demands", "results", "synonyms"]
MAX_WORD = 50


def read_taxonomy(data: object, shown: str, problems: Problems) -> Taxonomy | None:
    """Check the taxonomy mapping and build the Taxonomy (None when unusable)."""
    if not isinstance(data, MarkedMap):
        problems.add(shown, 1, 1, "file", f"expected categories, demands and results, found {type_name(data)}")
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
        fields.error("categories", f"expected a list or groups of lists, found {type_name(block)}")
    return Taxonomy(tuple(categories), fields.text_list("demands"), fields.text_list("results"),
                    read_synonyms(fields, problems, shown))


def read_synonyms(fields: Fields, problems: Problems, shown: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`synonyms`: everyday word → a word (or list of words) the site uses, each found by the search."""
    block = fields.mapping("synonyms")
    if block is None:
        return ()
    sub = Fields(problems, shown, block, "synonyms")
    for key, (line, column) in block.duplicates:
        problems.add(shown, line, column, sub.name(str(key)), "key appears twice in the same mapping")
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
            problems.add(shown, line, column, name, f"the same word as `{first}` (line {first_line}) once spaces, "
                                                    f"case and full-width forms are ignored")
            continue
        seen[norm] = (word, line)
        terms = _terms(block, raw, name, problems, shown)
        if terms:
            out.append((word, terms))
    return tuple(out)


def _word_problem(word: str) -> str:
    """Why a word cannot be searched for, or ''."""
    if CONTROL_CHARACTER.search(word):
        return "contains a control character; delete it"
    if len(word) > MAX_WORD:
        return f"text is {len(word)} characters long; at most {MAX_WORD} are allowed"
    if len(search_key(word)) < MIN_QUERY:
        return f"a searched word needs at least {MIN_QUERY} characters besides spaces and hyphens"
    return ""


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
                         f"expected the word (or list of words) it stands for, found {type_name(item)}")
            continue
        term = str(item).strip()
        problem = _word_problem(term)
        if not problem and search_key(term) == word:
            problem = "is the word itself: give the words the site uses instead"
        if problem:
            problems.add(shown, line, column, shown_name, problem)
        elif term not in terms:
            terms.append(term)
    return tuple(terms)

