"""Reading one ranking file (content/rankings/*.yaml): the period, the formula and the scores or weights."""

from __future__ import annotations

from builder.codes import say
from builder.errors import Problems
from builder.fields import Fields, listing, suggest, type_name
from builder.model import RankingFile, Score, Source, Weight
from builder.scoring import FIGURES, MAX_DECIMALS
from builder.source import MarkedMap

RANKING_FILE_KEYS = ["period", "effective", "formula", "weights", "min_complaints", "decimals", "scored_by", "scope",
                     "scores"]
SCORE_KEYS = ["merchant", "score"]


def read_ranking_file(data: object, shown: str, problems: Problems) -> RankingFile | None:
    """Check one ranking file and build its RankingFile (None when unusable)."""
    if not isinstance(data, MarkedMap):
        problems.add(shown, 1, 1, "file", say("GS108", "expected period, formula and scores, found {found}",
                                              found=type_name(data)))
        return None
    before = problems.error_count
    fields = Fields(problems, shown, data)
    fields.check_keys(RANKING_FILE_KEYS)
    period = fields.period("period")
    weights = _read_weights(fields, problems, shown)
    formula = fields.text("formula", required="weights" not in data, max_length=2000)
    effective = fields.date("effective", required=False)
    minimum = fields.integer("min_complaints", required=False, minimum=0)
    decimals = fields.integer("decimals", required=False, minimum=0)
    if decimals is not None and decimals > MAX_DECIMALS:
        fields.error("decimals", say("GS208", "at most {limit} decimal places, found {value}", limit=MAX_DECIMALS,
                                     value=decimals))
    scored_by = fields.text("scored_by", required=False, max_length=200) or ""
    scope = fields.text("scope", required=False, max_length=2000) or ""
    if "weights" in data and "scores" in data:
        fields.error("scores", say("GS601", "give either `weights` (gongshi computes every eligible merchant's score "
                                            "from the published data) or `scores` (computed elsewhere), not both"),
                     at_value=False)
    scores = [] if "weights" in data else _read_scores(fields, problems, shown)
    if weights:
        for key in ("scored_by", "scope"):
            if key in data:
                fields.error(key, say("GS601", "`{key}` describes supplied scores; with `weights` gongshi computes "
                                               "the scores itself", key=key), at_value=False)
    if problems.error_count > before or period is None or (formula is None and not weights):
        return None
    return RankingFile(period, formula or "", tuple(scores), Source(shown, *data.mark), effective,
                       weights, minimum, 1 if decimals is None else decimals, scored_by, scope)


def _read_scores(fields: Fields, problems: Problems, shown: str) -> list[Score]:
    """The supplied scores (required when there are no weights)."""
    listed = fields.sequence("scores", required=True)
    scores: list[Score] = []
    for index, raw in enumerate(listed or []):
        name = f"scores[{index + 1}]"
        if not isinstance(raw, MarkedMap):
            assert listed is not None
            problems.add(shown, *listed.item_mark(index), name, say("GS204", "expected merchant and score"))
            continue
        sub = Fields(problems, shown, raw, name)
        sub.check_keys(SCORE_KEYS)
        ref, score = sub.text("merchant", max_length=200), sub.number("score")
        if ref is not None and score is not None:
            scores.append(Score(ref, score, Source(shown, *raw.value_mark("merchant"))))
    return scores


def _read_weights(fields: Fields, problems: Problems, shown: str) -> tuple[Weight, ...]:
    """The formula as data: a weight for each disclosed figure it uses, in the order written."""
    known = list(FIGURES)
    if "weights" in fields.data and fields.data["weights"] is None:
        fields.error("weights", say("GS602", "no weights given: give at least one of {figures}",
                                    figures=listing(known)))
    block = fields.mapping("weights")
    if block is None:
        return ()
    sub = Fields(problems, shown, block, "weights")
    weights = []
    for key in block:
        if key not in FIGURES:
            line, column = block.key_mark(key)
            problems.add(shown, line, column, f"weights.{key}",
                         say("GS602", "`{key}` is not a figure a formula can weigh{suggestion}; figures: {figures}",
                             key=key, suggestion=suggest(str(key), known), figures=listing(known)))
            continue
        value = sub.number(str(key))
        if value is not None:
            weights.append(Weight(str(key), value))
    for key, (line, column) in block.duplicates:
        problems.add(shown, line, column, f"weights.{key}", say("GS202", "key appears twice in the same mapping"))
    if not block:
        fields.error("weights", say("GS602", "the list of weights is empty: give at least one of {figures}",
                                    figures=listing(known)))
    return tuple(weights)
