"""Personal data detection and masking."""

from builder.privacy import find_personal_data, is_id_card, mask_personal_data


def kinds(text: str) -> list[str]:
    return [finding.kind for finding in find_personal_data(text)]


def test_each_kind_is_found_with_its_position() -> None:
    text = "第一行\n消费者电话13912345678，邮箱 zhang.san@example.com"
    findings = find_personal_data(text)
    assert [(f.line, f.column, f.kind) for f in findings] == [(2, 6, "mobile"), (2, 21, "email")]


def test_id_card_needs_its_check_digit() -> None:
    assert is_id_card("11010519491231002X")
    assert kinds("身份证11010519491231002X") == ["id_card"]
    # Same length, wrong check digit: still a long number, reported as a possible card number.
    assert kinds("身份证110105194912310021") == ["bank_card"]


def test_bank_card_with_spaces_and_mobile_with_separators() -> None:
    assert kinds("卡号 6222 0212 3456 7890 123") == ["bank_card"]
    assert kinds("电话 139-1234-5678") == ["mobile"]
    assert kinds("电话 +86 13912345678") == ["mobile"]


def test_masked_forms_and_ordinary_numbers_pass() -> None:
    assert kinds("电话139****5678，卡号6222********1234，金额12000元，日期2026-09-02，投诉量 12") == []


def test_credit_codes_in_code_fields_are_not_personal_data() -> None:
    assert kinds("  credit_code: 121200004013590816") == []
    assert kinds("  - merchant: 121200004013590816") == []
    assert kinds("  issue: 121200004013590816") == ["bank_card"]


def test_masking_keeps_only_the_ends() -> None:
    masked, findings = mask_personal_data("电话13912345678 邮箱 ab@qq.com")
    assert masked == "电话139****5678 邮箱 a***@qq.com"
    assert len(findings) == 2


def test_full_width_digits_separators_and_country_codes_are_normalised() -> None:
    assert kinds("电话１３９１２３４５６７８") == ["mobile"]
    assert kinds("电话１３９－１２３４－５６７８") == ["mobile"]
    assert kinds("电话\u3000139\u30001234\u30005678") == ["mobile"]
    assert kinds("电话 139—1234—5678") == ["mobile"]
    assert kinds("电话 0086 139 1234 5678") == ["mobile"]
    assert kinds("电话+86-139-1234-5678") == ["mobile"]
    assert kinds("身份证 110105 19491231 002X") == ["id_card"]
    assert kinds("身份证１１０１０５１９４９１２３１００２Ｘ") == ["id_card"]
    assert kinds("卡号 622202 1234567890123") == ["bank_card"]


def test_e_mails_inside_chinese_text_and_in_full_width() -> None:
    assert kinds("请联系邮箱zhang.san@example.com谢谢") == ["email"]
    assert kinds("邮箱：ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ。") == ["email"]
    masked, _ = mask_personal_data("邮箱：ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ。")
    assert masked == "邮箱：ｚ***＠ｅｘａｍｐｌｅ．ｃｏｍ。"


def test_no_false_positives_on_ordinary_numbers_and_public_addresses() -> None:
    assert kinds("投诉量 12 13 14 15 16 17 18 19 件，金额 1,234,567.89 元，2026-09-02，办结率 13.5%") == []
    assert kinds("举报邮箱 jubao@example.gov.cn") == []
    assert kinds("电话１３９＊＊＊＊５６７８") == []


def test_masked_numbers_stay_valid_yaml_scalars() -> None:
    masked, findings = mask_personal_data("card: 6222021234567890123\nid: 11010519491231002X\n")
    assert [f.kind for f in findings] == ["bank_card", "id_card"]
    assert masked == "card: 6222***********0123\nid: 110105********002X\n"
