"""The CLI speaks Chinese or English: language choice, the catalogs, stable problem codes, help in both languages."""

from __future__ import annotations

import ast
import json
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from builder import codes
from builder.i18n import LOCALEDIR, choose_language
from helpers import REPO, SITES, fixed_env, run_cli

PO = LOCALEDIR / "zh" / "LC_MESSAGES" / "gongshi.po"
CODE_USE = re.compile(r"""(?:say|Message)\(\s*"(GS\d{3})\"""")


@pytest.mark.parametrize(("env", "language"), [
    ({}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL comes first, as for every program
    ({"LC_ALL": "zh_CN.GB18030", "LANG": "C"}, "zh"),
    ({"LANG": "", "LC_MESSAGES": "zh_SG"}, "zh"),
    ({"GONGSHI_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"GONGSHI_LANG": "zh", "LC_ALL": "C"}, "zh"),
    ({"GONGSHI_LANG": "ZH"}, "zh"),
])
def test_language_is_chosen_from_the_environment(env: dict[str, str], language: str) -> None:
    assert choose_language(env) == language


def _placeholders(text: str) -> set[str]:
    """Named `{placeholders}` (with their format spec) and `%(name)s` ones of a message."""
    names = {f"{name}:{spec}" if spec else name for _, name, spec, _ in string.Formatter().parse(text)
             if name is not None}
    return names | set(re.findall(r"%\((\w+)\)[sd]", text))


def test_every_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    problems = []
    count = 0
    for message in catalog:
        if not message.id:
            continue
        count += 1
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {message.id!r}")
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(_placeholders(i) for i in ids))
        for text in strings:
            found = _placeholders(text)
            # a translation may leave out a plural form's placeholder that its other form does not have either
            needed = _placeholders(ids[-1])
            if not found <= wanted or not needed <= found:
                problems.append(f"placeholders of {message.id!r}: {sorted(found)} against {sorted(wanted)}")
            if re.search(r"[\u4e00-\u9fff]", text) is None and re.search(r"[a-z]{3,} [a-z]{3,}", text):
                problems.append(f"not Chinese: {message.id!r} → {text!r}")
    assert count > 600
    assert problems == []


def test_catalogs_are_up_to_date_and_compiled() -> None:
    """The .pot holds every message of the code (and Click), the .po is merged, the .mo is the compiled .po."""
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "update_catalog.py"), "--check"],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_code_used_is_registered_and_every_registered_code_is_used() -> None:
    used: set[str] = set()
    for path in (REPO / "builder").rglob("*.py"):
        used |= set(CODE_USE.findall(path.read_text("utf-8")))
    assert used <= set(codes.CODES), sorted(used - set(codes.CODES))
    assert set(codes.CODES) <= used, sorted(set(codes.CODES) - used)
    assert all(re.fullmatch(r"GS[1-9]\d\d", code) for code in codes.CODES)
    assert all(entry.title and entry.cause and entry.fix for entry in codes.CODES.values())
    with pytest.raises(KeyError):
        codes.say("GS000", "no such code")


def _english_words(node: ast.AST) -> bool:
    """Whether a string or f-string literal reads as English prose (two words of letters)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(part.value for part in node.values
                       if isinstance(part, ast.Constant) and isinstance(part.value, str))
    else:
        return False
    return re.search(r"[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}", text) is not None


def test_no_user_facing_text_bypasses_the_catalog() -> None:
    """Every exception raised with prose and every text the CLI prints goes through `_()` (or `say`)."""
    found = []
    for path in sorted((REPO / "builder").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            call = None
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                call = node.exc
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "echo"):
                call = node
            if call is not None and any(_english_words(arg) for arg in call.args):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    # codes.say refuses an unknown code: a programming error, never shown to an editor
    assert found == ["builder/codes.py:23"]


def test_help_in_chinese_and_english() -> None:
    zh = run_cli("--help", env=fixed_env(GONGSHI_LANG="zh"))
    assert zh.returncode == 0
    assert zh.stdout.startswith("用法： python -m builder [OPTIONS] COMMAND [ARGS]...")  # the prog name of run_cli
    assert "gongshi：用 YAML 和 Markdown 生成消费投诉信息公示网站。" in zh.stdout
    assert "选项:" in zh.stdout and "命令:" in zh.stdout
    assert "显示本帮助后退出。" in zh.stdout and "显示版本号后退出。" in zh.stdout
    assert "检查站点文件夹中的每个文件，不写入任何内容。" in zh.stdout
    build = run_cli("build", "--help", env=fixed_env(GONGSHI_LANG="zh"))
    assert "不生成搜索索引（预览更快）。" in build.stdout
    assert "遮盖手机号、身份证号、银行卡号和电子邮箱后继续" in build.stdout
    assert "[默认：utf-8]" in build.stdout
    assert not re.search(r"[a-z]{3,} [a-z]{3,} [a-z]{3,}", build.stdout), build.stdout
    en = run_cli("build", "--help", env=fixed_env(GONGSHI_LANG="en"))
    assert en.stdout.startswith("Usage: python -m builder build [OPTIONS] [SITE_DIR]")
    assert "Skip the search index (faster previews)." in en.stdout and "Options:" in en.stdout
    assert not re.search(r"[\u4e00-\u9fff]", en.stdout.replace("公示部门", ""))


@pytest.mark.parametrize("command", ["check", "serve", "init", "import", "publish", "verify", "new"])
def test_every_command_has_chinese_help(command: str) -> None:
    result = run_cli(command, "--help", env=fixed_env(GONGSHI_LANG="zh"))
    assert result.returncode == 0
    assert result.stdout.startswith("用法：")
    lines = [line for line in result.stdout.splitlines()[1:] if line.strip()]
    assert lines and all(re.search(r"[\u4e00-\u9fff]", line) or not re.search(r"[a-z]{4,} [a-z]{3,}", line)
                         for line in lines), result.stdout


def test_locale_alone_chooses_chinese() -> None:
    env = fixed_env(LANG="zh_CN.UTF-8", LC_ALL="", LC_MESSAGES="")
    del env["GONGSHI_LANG"]
    result = run_cli("build", "--no-such-option", env=env)
    assert result.returncode == 2
    assert "错误：没有选项 '--no-such-option'。" in result.stderr
    assert "运行 'python -m builder build --help' 查看帮助。" in result.stderr
    env["LC_ALL"] = "C.UTF-8"
    assert "Error: No such option '--no-such-option'." in run_cli("build", "--no-such-option", env=env).stderr


def test_check_speaks_chinese_and_keeps_the_position_prefix(tmp_path: Path) -> None:
    broken = tmp_path / "site"
    shutil.copytree(SITES / "minimal", broken)
    period = next((broken / "content" / "complaints").glob("*.yaml"))
    text = period.read_text("utf-8")
    period.write_text(re.sub(r"complaints: \d+", "complaints: 十二", text, count=1), "utf-8")
    zh = run_cli("check", broken, env=fixed_env(GONGSHI_LANG="zh"))
    line = next(line for line in zh.stderr.splitlines() if "complaints" in line)
    assert re.fullmatch(r"content/complaints/[\w-]+\.yaml:\d+:\d+: merchants\[\d+\]\.complaints: "
                        r"应为整数，实际为 `十二`", line), line
    assert zh.stderr.splitlines()[-1] == "错误：发现 1 个问题；未写入任何内容。"
    report = json.loads(run_cli("check", broken, "--format", "json", env=fixed_env(GONGSHI_LANG="zh")).stdout)
    assert report["language"] == "zh"
    assert [(p["code"], p["field"], p["message"]) for p in report["problems"]] == [
        ("GS207", line.split(": ")[1], "应为整数，实际为 `十二`")]


def test_success_and_warnings_in_chinese() -> None:
    result = run_cli("check", SITES / "minimal", env=fixed_env(GONGSHI_LANG="zh"))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"检查通过：\d+ 个商户、\d+ 个公示期、\d+ 个红黑榜、\d+ 条消费警示、\d+ 个页面。",
                        result.stdout.splitlines()[0])
    assert result.stdout.splitlines()[1].startswith("信息截至 2026-11-20：数据更新于 ")


def test_error_reference_is_up_to_date() -> None:
    """docs/errors.md lists every code (cause and fix in both languages) as scripts/error_reference.py writes it."""
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "error_reference.py"), "--check"],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (REPO / "docs" / "errors.md").read_text("utf-8")
    assert [line[4:] for line in text.splitlines() if line.startswith("### ")] == list(codes.CODES)
    assert "- 原因：统一社会信用代码不是 18 位" in text
    assert "| 应为整数，实际为 … | expected a whole number, found … |" in text


def test_the_guides_name_real_codes_and_real_messages() -> None:
    """The codes both editors' guides name exist, and the messages they quote are the catalog's own words."""
    guides = [REPO / "docs" / "编辑指南.md", REPO / "builder" / "starter_site" / "README.md"]
    with PO.open("rb") as handle:
        translations = " ".join(m.string for m in read_po(handle, locale="zh") if isinstance(m.string, str))
    for guide in guides:
        text = guide.read_text("utf-8")
        named = set(re.findall(r"GS\d{3}", text))
        assert len(named) >= 10 and named <= set(codes.CODES), guide
        for row in re.findall(r"^\| ([^|`]+?) \| GS\d{3} \|", text, re.M):  # the starter guide's table
            for part in re.split(r"…|（|）", row):
                assert part.strip() in translations, (guide.name, part)
    assert "errors.md#gs212" in guides[0].read_text("utf-8")


def test_import_report_in_both_languages_with_the_same_codes(minimal_site: Path, tmp_path: Path) -> None:
    export = tmp_path / "导出.csv"
    export.write_text("经营者名称,统一社会信用代码,辖区,行业,投诉量,办结量\n"
                      "示例甲商店,91350100M000100Y44,甲街道,餐饮服务,十二,3\n"
                      "示例乙商店,,乙镇,餐饮服务,4,5\n", "utf-8")
    reports = {}
    for language in ("en", "zh"):
        env = fixed_env(GONGSHI_LANG=language)
        text = run_cli("import", export, minimal_site, "--period", "2026-11", env=env)
        assert text.returncode == 1
        reports[language] = json.loads(run_cli("import", export, minimal_site, "--period", "2026-11",
                                               "--format", "json", env=env).stdout)
        assert reports[language]["language"] == language
        if language == "zh":
            assert f"{export}:2:5: complaints: 应为整数，实际为 `十二`（单元格 E2）" in text.stderr
            assert "不是有效的统一社会信用代码：校验码是 4，按校验规则应为 3" in text.stderr
            assert f"{export}:3:6: resolved: 办结量 5 大于投诉量 4（单元格 F3）" in text.stderr
            summary = f"错误：{export}（表头在第 1 行、每行一个商户） 中有 3 个问题"
            assert text.stderr.splitlines()[-1].startswith(summary)
    assert [p["code"] for p in reports["zh"]["problems"]] == ["GS212", "GS207", "GS302"]
    assert ([{k: v for k, v in p.items() if k != "message"} for p in reports["en"]["problems"]]
            == [{k: v for k, v in p.items() if k != "message"} for p in reports["zh"]["problems"]])
