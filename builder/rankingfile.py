"""Reading one ranking file (content/rankings/*.yaml): the period, the formula and the scores."""

from __future__ import annotations

from builder.errors import Problems
from builder.fields import Fields, type_name
from builder.model import RankingFile, Score, Source
from builder.source import MarkedMap

RANKING_FILE_KEYS = ["period", "effective", "formula", "scores"]
SCORE_KEYS = ["merchant", "score"]


def read_ranking_file(data: object, shown: str, problems: Problems) -> RankingFile | None:
    """Check one ranking file and build its RankingFile (None when unusable)."""
    if not isinstance(data, MarkedMap):
        problems.add(shown, 1, 1, "file", f"expected period, formula and scores, found {type_name(data)}")
        return None
    before = problems.error_count
    fields = Fields(problems, shown, data)
    fields.check_keys(RANKING_FILE_KEYS)
    period = fields.period("period")
    formula = fields.text("formula", max_length=2000)
    effective = fields.date("effective", required=False)
    listed = fields.sequence("scores", required=True)
    scores: list[Score] = []
    for index, raw in enumerate(listed or []):
        name = f"scores[{index + 1}]"
        if not isinstance(raw, MarkedMap):
            assert listed is not None
            problems.add(shown, *listed.item_mark(index), name, "expected merchant and score")
            continue
        sub = Fields(problems, shown, raw, name)
        sub.check_keys(SCORE_KEYS)
        ref, score = sub.text("merchant", max_length=200), sub.number("score")
        if ref is not None and score is not None:
            scores.append(Score(ref, score, Source(shown, *raw.value_mark("merchant"))))
    if problems.error_count > before or period is None or formula is None:
        return None
    return RankingFile(period, formula, tuple(scores), Source(shown, *data.mark), effective)
