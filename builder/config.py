"""Loading and checking site.yaml."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from builder.codes import say
from builder.errors import Problems
from builder.fields import Fields, type_name
from builder.model import COMPLAINT_HOTLINE, COMPLAINT_URL, DataLicense, RankingConfig, SiteConfig
from builder.source import MarkedList, MarkedMap, SourceError, parse_yaml, read_text

SITE_KEYS = ["title", "organizer", "base_url", "language", "description", "theme", "contact",
             "site_id_code", "icp", "police_record", "correction_url", "rankings",
             "retention_months", "stale_after_days", "legal_basis", "government_badge_url", "max_attachment_mb",
             "complaint_url", "complaint_hotline", "data_license"]
DATA_LICENSE_KEYS = ["title", "url", "name"]
RANKING_SETTINGS_KEYS = ["top_count", "bottom_count", "top_label", "bottom_label", "min_complaints", "disclaimer"]
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_LICENSE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_HOTLINE = re.compile(r"^\+?[0-9][0-9 -]{1,28}[0-9]$")


def load_config(site_dir: Path, problems: Problems, encoding: str = "utf-8") -> SiteConfig | None:
    """Read site.yaml; record its problems and return None when it cannot be used."""
    path = site_dir / "site.yaml"
    shown = "site.yaml"
    if not path.is_file():
        problems.add(shown, 1, 1, "file", say("GS101", "site.yaml not found: a site folder needs a site.yaml"))
        return None
    try:
        data = parse_yaml(read_text(path, encoding))
    except SourceError as exc:
        problems.add(shown, exc.line, exc.column, exc.field, exc.message)
        return None
    if not isinstance(data, MarkedMap):
        problems.add(shown, 1, 1, "site.yaml", say("GS108", "expected a mapping of settings (key: value lines)"))
        return None
    return read_config(data, shown, problems)


def read_config(data: MarkedMap, shown: str, problems: Problems) -> SiteConfig | None:
    """Check the settings mapping and build the SiteConfig."""
    before = problems.error_count
    fields = Fields(problems, shown, data)
    fields.check_keys(SITE_KEYS)
    title = fields.text("title", max_length=200)
    organizer = fields.text("organizer", max_length=200)
    base_url = fields.text("base_url", max_length=500)
    if base_url is not None and not re.match(r"^https?://[^/\s]+(/[^\s]*)?$", base_url):
        fields.error("base_url", say("GS217", "must be an absolute http(s) URL such as "
                                              "https://www.example.gov.cn/gongshi/, found `{value}`", value=base_url))
    elif base_url is not None and not base_url.endswith("/"):
        base_url += "/"
    language = fields.text("language", required=False) or "zh-CN"
    if not _LANGUAGE.match(language):
        fields.error("language", say("GS217", "`{value}` is not a language tag such as zh-CN", value=language))
    theme = fields.text("theme", required=False) or "default"
    if not _SAFE_NAME.match(theme):
        fields.error("theme", say("GS213", "a theme name may hold only letters, digits, - and _"))
    correction_url = fields.text("correction_url", required=False) or ""
    if correction_url and not re.match(r"^(https?://|mailto:)\S+$", correction_url):
        fields.error("correction_url", say("GS217", "must start with https://, http:// or mailto:"))
    badge_url = fields.text("government_badge_url", required=False) or ""
    if badge_url and not re.match(r"^https?://\S+$", badge_url):
        fields.error("government_badge_url", say("GS217", "must start with https:// or http:// (a link target, not "
                                                          "a script)"))
    complaint_url = fields.text("complaint_url", required=False, max_length=500) or COMPLAINT_URL
    if not re.match(r"^https?://[^/\s]+\S*$", complaint_url):
        fields.error("complaint_url", say("GS217", "must be the http(s) address of a complaint platform such as "
                                                   "{example}, found `{value}`", example=COMPLAINT_URL,
                                          value=complaint_url))
    hotline = unicodedata.normalize("NFKC", fields.text("complaint_hotline", required=False, max_length=30)
                                    or COMPLAINT_HOTLINE)
    if not _HOTLINE.match(hotline):
        fields.error("complaint_hotline", say("GS217", "must be a telephone number (digits, spaces, -), found "
                                                       "`{value}`", value=hotline))
    retention = fields.integer("retention_months", required=False, minimum=1)
    stale_after = fields.integer("stale_after_days", required=False, minimum=1)
    max_attachment = fields.integer("max_attachment_mb", required=False, minimum=1)
    rankings = _read_rankings(fields, problems, shown)
    data_license = _read_data_license(fields, problems, shown)
    if problems.error_count > before or title is None or organizer is None or base_url is None:
        return None
    return SiteConfig(
        title=title, organizer=organizer, base_url=base_url, language=language,
        description=fields.text("description", required=False) or "", theme=theme,
        contact=fields.text("contact", required=False) or "",
        site_id_code=fields.text("site_id_code", required=False, max_length=20) or "",
        icp=fields.text("icp", required=False) or "",
        police_record=fields.text("police_record", required=False) or "",
        correction_url=correction_url, rankings=rankings,
        retention_months=retention, stale_after_days=stale_after,
        legal_basis=fields.text("legal_basis", required=False, max_length=2000) or "",
        government_badge_url=badge_url,
        max_attachment_mb=SiteConfig.max_attachment_mb if max_attachment is None else max_attachment,
        complaint_url=complaint_url, complaint_hotline=hotline, data_license=data_license,
    )


def _read_rankings(fields: Fields, problems: Problems, shown: str) -> RankingConfig:
    block = fields.mapping("rankings")
    if block is None:
        return RankingConfig()
    sub = Fields(problems, shown, block, "rankings")
    sub.check_keys(RANKING_SETTINGS_KEYS)
    default = RankingConfig()
    top = sub.integer("top_count", required=False, minimum=1)
    bottom = sub.integer("bottom_count", required=False, minimum=0)
    minimum = sub.integer("min_complaints", required=False, minimum=0)
    return RankingConfig(
        top_count=default.top_count if top is None else top,
        bottom_count=default.bottom_count if bottom is None else bottom,
        top_label=sub.text("top_label", required=False, max_length=20) or default.top_label,
        bottom_label=sub.text("bottom_label", required=False, max_length=20) or default.bottom_label,
        min_complaints=default.min_complaints if minimum is None else minimum,
        disclaimer=sub.text("disclaimer", required=False) or "",
    )


def _read_data_license(fields: Fields, problems: Problems, shown: str) -> DataLicense | None:
    """`data_license`: a text (the terms' title) or a mapping of title, url and name."""
    value = fields.data.get("data_license")
    if value is None:
        return None
    if isinstance(value, (MarkedList, bool)):
        fields.error("data_license", say("GS204", "expected the terms' title, or a mapping of {keys}; found {found}",
                                         keys=", ".join(DATA_LICENSE_KEYS), found=type_name(value)))
        return None
    if not isinstance(value, MarkedMap):
        title = fields.text("data_license", max_length=500)
        return DataLicense(title) if title else None
    sub = Fields(problems, shown, value, "data_license")
    sub.check_keys(DATA_LICENSE_KEYS)
    title = sub.text("title", max_length=500)
    url = sub.text("url", required=False, max_length=500) or ""
    if url and not re.match(r"^https?://\S+$", url):
        sub.error("url", say("GS217", "must start with https:// or http://"))
    name = sub.text("name", required=False, max_length=64) or ""
    if name and not _LICENSE_NAME.match(name):
        sub.error("name", say("GS217", "`{value}` is not a licence identifier such as CC-BY-4.0 (letters, digits, . "
                                       "+ -)", value=name))
    return DataLicense(title, url, name) if title else None
