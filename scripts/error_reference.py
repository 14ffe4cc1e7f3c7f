#!/usr/bin/env python3
"""Write docs/errors.md, the reference of every problem code, from builder/codes.py and the catalogs.

Each code gets its title, cause and fix in Chinese and English, and every message the code shows (found in
builder/ as `say("GSxxx", "…")`). Run `.venv/bin/python scripts/error_reference.py` after changing a code or a
message; `--check` changes nothing and exits 1 when docs/errors.md is not what this script would write.
"""

from __future__ import annotations

import ast
import gettext
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.codes import CODES  # noqa: E402
from builder.i18n import DOMAIN, LOCALEDIR  # noqa: E402

TARGET = ROOT / "docs" / "errors.md"
GROUPS = {
    "1": ("文件与 YAML", "Files and YAML"),
    "2": ("字段的值", "Field values"),
    "3": ("文件之间的核对", "Checks across files"),
    "4": ("图片和附件", "Images and attachments"),
    "5": ("个人信息", "Personal data"),
    "6": ("红黑榜", "Rankings"),
    "7": ("导入表格（gongshi import）", "Importing spreadsheets (gongshi import)"),
    "8": ("主题模板", "Theme templates"),
    "9": ("构建环境", "Build environment"),
}


def messages_by_code() -> dict[str, list[str]]:
    """Every message msgid of builder/, by the code it is shown with (in source order, without repeats)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "builder").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say"
                    and len(node.args) >= 2 and all(isinstance(a, ast.Constant) for a in node.args[:2])):
                code, text = node.args[0].value, node.args[1].value
                if isinstance(code, str) and isinstance(text, str) and text not in found.setdefault(code, []):
                    found[code].append(text)
    return found


def _shown(text: str) -> str:
    """A message for the page: placeholders become …, Markdown's own characters are kept literal."""
    text = re.sub(r"\{[a-z_]+(?::[^}]*)?\}", "…", text)
    return text.replace("|", "\\|").replace("*", "\\*").replace("<", "&lt;")


def render() -> str:
    """The whole page."""
    zh = gettext.translation(DOMAIN, str(LOCALEDIR), languages=["zh"])
    examples = messages_by_code()
    lines = [
        "# 问题代码 · Problem codes",
        "",
        "<!-- Written by scripts/error_reference.py from builder/codes.py and builder/locale: do not edit by hand. -->",
        "",
        "`gongshi check`、`gongshi build` 和 `gongshi import` 发现的每个问题都有一个固定的代码（如 `GS212`），"
        "中英文界面下都相同。终端里每行一个问题：`文件:行:列: 字段: 说明`；`gongshi check --format json` 和 "
        "`gongshi import --format json` 在每个问题的 `code` 中给出代码，`message` 中给出当前语言的说明。"
        "下面按代码列出每个问题的原因和解决办法，以及这个代码下会出现的说明（… 处是具体的值）。"
        "编辑人员的日常操作见[编辑指南](编辑指南.md)。",
        "",
        "Every problem `gongshi check`, `gongshi build` and `gongshi import` report has a stable code (e.g. "
        "`GS212`), the same in Chinese and English. The terminal shows one problem a line as "
        "`path:line:column: field: message`; the JSON reports (`--format json`) give `code` beside `message` in "
        "the chosen language (GONGSHI_LANG=zh|en, else the locale). Below, each code with its cause, its fix "
        "and the messages it is shown with (… stands for the values).",
        "",
    ]
    for group, (title_zh, title_en) in GROUPS.items():
        listed = [code for code in CODES if code[2] == group]
        lines.append(f"- GS{group}xx {title_zh} · {title_en}: "
                     + "、".join(f"[{code}](#{code.lower()})" for code in listed))
    lines.append("")
    for group, (title_zh, title_en) in GROUPS.items():
        lines += [f"## GS{group}xx {title_zh} · {title_en}", ""]
        for code, entry in CODES.items():
            if code[2] != group:
                continue
            lines += [
                f"### {code}",
                "",
                f"**{zh.gettext(entry.title)}** · *{entry.title}*",
                "",
                f"- 原因：{zh.gettext(entry.cause)}",
                f"- 解决办法：{zh.gettext(entry.fix)}",
                f"- Cause: {entry.cause}",
                f"- Fix: {entry.fix}",
                "",
            ]
            shown = examples.get(code, [])
            if shown:
                lines += ["| 说明 | message |", "| --- | --- |"]
                lines += [f"| {_shown(zh.gettext(text))} | {_shown(text)} |" for text in shown]
                lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Write docs/errors.md, or with --check report whether it is up to date."""
    text = render()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text("utf-8") != text:
            print("docs/errors.md is not up to date: run scripts/error_reference.py")
            return 1
        return 0
    TARGET.write_text(text, "utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
