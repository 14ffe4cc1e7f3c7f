"""The search lookup files and the no-JS directory of the built sample site."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from builder.build import BuildOptions, load_site
from builder.directory import slugs
from builder.lookup import CAP, LEAF, bigrams, code_shards, fnv1a, listing_cap, lookup_records
from builder.pinyin import name_sort_key, pinyin_key
from builder.searchkey import search_key
from builder.tradename import region_prefixes, trade_name
from helpers import REPO


def test_normalise_and_bigrams() -> None:
    assert search_key("９１３５ 9902-ma") == "91359902ma"
    assert bigrams("金穗牛肉面") == {"金穗", "穗牛", "牛肉", "肉面"}
    assert bigrams("面") == set()


def test_fnv1a_matches_the_reference_values() -> None:
    # FNV-1a 32 over UTF-16 code units; the same function runs in search.js.
    assert fnv1a("") == 0x811C9DC5
    assert fnv1a("a") == 0xE40C292C
    assert fnv1a("金穗") != fnv1a("穗金")


def test_code_shards_are_sorted_runs_of_at_most_leaf() -> None:
    codes = sorted((f"913599{i:04d}MA00000", i) for i in range(300))
    shards = code_shards(codes)
    assert [len(shard) for shard in shards] == [LEAF, LEAF, 300 - 2 * LEAF]
    assert [pair for shard in shards for pair in shard] == codes


def test_directory_slugs_are_ascii_and_distinct() -> None:
    made = slugs(["西岭镇", "云溪镇", "熙岭镇", "ABC"])
    assert made["云溪镇"] == "yunxizhen" and made["ABC"] == "abc"
    assert made["西岭镇"] != made["熙岭镇"] and made["西岭镇"].startswith("xilingzhen-")
    assert all(slug.isascii() for slug in made.values())


def test_lookup_lists_every_public_merchant_and_warning(sample_output: Path) -> None:
    lookup = sample_output / "search" / "lookup"
    manifest = json.loads((lookup / "manifest.json").read_text("utf-8"))
    keys = manifest["keys"]  # the record schema (builder/lookup.py RECORD_KEYS), as search.js reads it
    assert sorted(keys.values()) == sorted(set(keys.values()))
    records = []
    for n in range(-(-manifest["records"] // manifest["block"])):
        for stored in json.loads((lookup / "r" / f"{n}.json").read_text("utf-8")):
            assert set(stored) <= set(keys.values())
            records.append({name: stored[key] for name, key in keys.items() if key in stored})
    assert len(records) == manifest["records"]
    names = {r["name"] for r in records if r["type"] == "m"}
    merchant_pages = {p.parent.name for p in (sample_output / "merchants").glob("*/index.html")}
    assert {r["url"].split("/")[1] for r in records if r["type"] == "m"} <= merchant_pages
    assert "青禾区金穗牛肉面馆" in names and len(names) == 41
    assert sum(r["type"] == "w" for r in records) == len(list((sample_output / "warnings").glob("2026-*/")))
    for record in records:
        assert (sample_output / record["url"] / "index.html").is_file(), record["url"]
    postings = {}
    for n in range(manifest["buckets"]):
        bucket = json.loads((lookup / "b" / f"{n}.json").read_text("utf-8"))
        for gram, ids in bucket.items():
            assert fnv1a(gram) % manifest["buckets"] == n and len(ids) <= manifest["listed"] == CAP
            postings[gram] = ids
    firsts = manifest["codes"]
    assert firsts == sorted(firsts) and firsts[0] == min(r["code"] for r in records if "code" in r)
    districts = {r["district"] for r in records if r["type"] == "m"}  # by pinyin, as the directory lists them
    assert manifest["filters"]["district"] == sorted(districts, key=lambda d: (pinyin_key(d), d))
    assert manifest["filters"]["district"] != sorted(districts)  # the sample's are not in code point order too
    assert set(manifest["filters"]["kind"]) == {"经营者", "消费预警", "消费提醒", "典型案例"}
    assert manifest["filters"]["period"] == ["2026年10月", "2026年9月", "2026年8月"]  # newest first
    taxonomy = yaml.safe_load((REPO / "content" / "taxonomy.yaml").read_text("utf-8"))
    assert manifest["synonyms"] == {search_key(word): [terms] if isinstance(terms, str) else terms
                                    for word, terms in taxonomy["synonyms"].items()}
    assert manifest["synonyms"]["预付卡"] == ["预付式消费"]
    yishang = next(r for r in records if r["name"] == "青禾衣尚服饰有限公司")  # withdrawn in 2026年9月
    assert [manifest["periods"][i] for i in yishang["periods"]] == ["2026年8月", "2026年10月"]
    jinsui = next(i for i, r in enumerate(records) if r["name"] == "青禾区金穗牛肉面馆")
    assert all(jinsui in postings[g] for g in ("金穗", "穗牛", "牛肉", "肉面", "面馆"))


def test_directory_pages_by_district_category_and_letter(sample_output: Path) -> None:
    directory = (sample_output / "merchants" / "index.html").read_text("utf-8")
    for route in ("merchants/district/xilingzhen/", "merchants/category/jiaotonggongju/", "merchants/letter/Q/"):
        assert f'href="../{route}"' in directory, route
        assert (sample_output / route / "index.html").is_file()
    xiling = (sample_output / "merchants" / "district" / "xilingzhen" / "index.html").read_text("utf-8")
    assert xiling.count('<th scope="row">') == 6 and "青禾区西岭镇老街手机维修部" in xiling
    assert 'href="../../../merchants/' in xiling


def test_a_large_site_lists_bigrams_on_up_to_one_percent_of_its_records() -> None:
    assert [listing_cap(n) for n in (41, 10_020, 20_000, 100_020)] == [CAP, CAP, 200, 1000]


def test_lookup_numbers_merchants_by_trade_name_so_that_a_brand_shares_record_files() -> None:
    # A brand's branches in several districts have names that start with different districts: in name order
    # their records are far apart, one file each; in trade-name (字号) order they are neighbours.
    site = load_site(BuildOptions(REPO, search=False)).site
    assert site is not None
    records, _texts = lookup_records(site)
    names = [r["name"] for r in records if r["type"] == "m"]
    assert sorted(names) == sorted(m.name for m in site.merchants)
    regions = region_prefixes(site.content.config.organizer, site.merchants)
    keys = [name_sort_key(trade_name(name, regions)) for name in names]
    assert keys == sorted(keys)
    assert names != [m.name for m in site.merchants]  # the sample's name order is another order
    assert [r["type"] for r in records] == sorted((r["type"] for r in records), key=lambda t: t != "m")
