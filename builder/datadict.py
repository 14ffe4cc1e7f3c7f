"""The data dictionary of the open data: every column's names, meaning, type and unit, in one place.

The CSV headers, the JSON field names, the table on the data page and the Table Schemas of
data/datapackage.json all come from these lists.
"""

from __future__ import annotations

from dataclasses import dataclass

#: What each entry status means, as the CSV and `status_label` say it (withdrawn entries are never published).
STATUS_TEXT = {"active": "正常公示", "under_review": "复核中", "corrected": "已更正"}
#: How the data page names each Table Schema type.
TYPE_LABELS = {"string": "文本", "integer": "整数", "number": "数值", "date": "日期（YYYY-MM-DD）"}
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$"
CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"


@dataclass(frozen=True)
class Column:
    """One column of an open-data table: its JSON name, its CSV header and what it holds."""

    key: str
    title: str
    type: str
    meaning: str
    unit: str = ""
    csv: bool = True
    json: bool = True
    required: bool = False
    values: tuple[str, ...] = ()
    pattern: str = ""
    minimum: float | None = None
    maximum: float | None = None
    same_as: str = ""

    @property
    def type_label(self) -> str:
        """The type in Chinese, for the data page."""
        return TYPE_LABELS[self.type]


_NAME = "被投诉经营者的名称（该公示期公示的写法）"
_PERIOD = Column("period", "公示期", "string",
                 "公示期：YYYY-MM（月）、YYYY-Qn（季度）、YYYY-H1/H2（半年）或 YYYY（年）", required=True,
                 pattern=PERIOD_PATTERN)
_CODE = Column("credit_code", "统一社会信用代码", "string", "经营者的统一社会信用代码（18 位，GB 32100）；没有时为空",
               pattern=CODE_PATTERN)
_DISTRICT = Column("district", "区域", "string", "经营者所在区域（街道、镇）", required=True)
_CATEGORY = Column("category", "行业类别", "string", "投诉所属的行业类别", required=True)
_PAGE = (
    Column("url", "页面路径", "string", "经营者页面相对于网站根目录的路径，如 merchants/…/", csv=False, required=True),
    Column("page_url", "页面", "string", "经营者页面的完整网址（site.yaml 的 base_url 加页面路径）", required=True),
)

#: complaints.csv / complaints.json: one row per merchant and period. The CSV keeps the column order it always had;
#: columns added later come last.
COMPLAINT_COLUMNS: tuple[Column, ...] = (
    _PERIOD,
    Column("published", "公示日期", "date", "该公示期信息的发布日期", required=True),
    Column("name", "经营者名称", "string", _NAME, required=True),
    _CODE,
    Column("id", "经营者编号", "string", "编辑为没有信用代码的经营者指定的编号；没有时为空", csv=False),
    _DISTRICT,
    _CATEGORY,
    Column("complaints", "投诉量", "integer", "该公示期受理的投诉件数", unit="件", required=True, minimum=0),
    Column("resolved", "办结量", "integer",
           "已办结的投诉件数：处理已结束的投诉，包括调解成功、调解终止、撤回、移送有关部门等，不只是调解成功的",
           unit="件", required=True, minimum=0),
    Column("closed", "办结量", "integer", "与 resolved 相同（名称更清楚的别名）", unit="件", csv=False,
           required=True, minimum=0, same_as="resolved"),
    Column("resolution_rate", "办结率", "number", "办结量 ÷ 投诉量，保留 4 位小数；投诉量为 0 时为空",
           unit="比例（0–1）", minimum=0, maximum=1),
    Column("closure_rate", "办结率", "number", "与 resolution_rate 相同（名称更清楚的别名）", unit="比例（0–1）",
           csv=False, minimum=0, maximum=1, same_as="resolution_rate"),
    Column("mediated", "调解成功", "integer", "办结的投诉中调解成功的件数；未公示时为空", unit="件", minimum=0),
    Column("recovered_yuan", "挽回经济损失（元）", "number", "为消费者挽回的经济损失；未公示时为空", unit="元",
           minimum=0),
    Column("status", "状态代码", "string", "公示状态：active 正常公示，under_review 复核中，corrected 已更正",
           csv=False, required=True, values=tuple(STATUS_TEXT)),
    Column("status_label", "状态", "string",
           "公示状态：正常公示、复核中（经营者或消费者申请复核）、已更正（见经营者页面的更正记录）",
           required=True, values=tuple(STATUS_TEXT.values())),
    Column("department", "公示部门", "string", "公示该信息的市场监督管理部门", required=True),
    *_PAGE,
    Column("open", "未办结", "integer", "尚未办结的投诉件数 = 投诉量 − 办结量", unit="件", required=True, minimum=0),
    Column("items_disclosed", "公示投诉明细数", "integer",
           "该公示期公示了明细的投诉件数（见 items.csv），可能少于投诉量", unit="件", required=True, minimum=0),
)

#: items.csv / items.json: one row per disclosed complaint item.
ITEM_COLUMNS: tuple[Column, ...] = (
    _PERIOD,
    Column("merchant", "经营者名称", "string", _NAME, required=True),
    _CODE,
    _DISTRICT,
    _CATEGORY,
    Column("number", "序号", "integer", "该投诉在经营者本期公示明细中的序号（从 1 起）", required=True, minimum=1),
    Column("received", "受理日期", "date", "投诉受理（登记）日期", required=True),
    Column("goods", "商品或服务", "string", "投诉涉及的商品或服务；未公示时为空"),
    Column("issue", "投诉问题", "string", "投诉的问题", required=True),
    Column("demand", "基本诉求", "string", "消费者的基本诉求，如退款、退货、维修、赔偿", required=True),
    Column("result", "处理结果", "string", "处理结果，如调解成功、调解终止、撤回、移送有关部门", required=True),
    Column("handled", "办结日期", "date", "投诉办结日期；未公示时为空"),
    Column("detail", "处理情况", "string", "处理情况说明；未公示时为空"),
    *_PAGE,
)


def csv_columns(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The columns written to the CSV file, in order."""
    return tuple(c for c in columns if c.csv)


def json_columns(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The fields written to the JSON file, in order."""
    return tuple(c for c in columns if c.json)
