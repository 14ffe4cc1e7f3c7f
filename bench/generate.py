"""Generate a complete fictional gongshi site folder of any size, for benchmarks."""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

# --- 统一社会信用代码 (GB 32100-2015) ----------------------------------------------------------

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31 for i = 1..17


def check_char(body: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(VALUES[c] * w for c, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise_code(code: str) -> str:
    """NFKC, strip spaces and hyphens, upper-case."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", code)).upper()


def is_valid_credit_code(code: str) -> bool:
    """True when code is a well-formed 统一社会信用代码 with the right check character."""
    code = normalise_code(code)
    if len(code) != 18 or any(c not in VALUES for c in code) or not code[2:8].isdigit():
        return False
    return check_char(code[:17]) == code[17]


KNOWN_VALID = ["91350100M000100Y43", "91110000600037341L", "121200004013590816",
               "91310115MA1K3BTP2B", "91440300568520498A", "92340602MA2PBMEM24"]
KNOWN_INVALID = ["91350100M000100Y4Z"]


def self_check() -> None:
    """Check the credit-code algorithm against the public examples in DOMAIN.md; exit on a mismatch."""
    failures = [f"known valid code rejected: {c}" for c in KNOWN_VALID if not is_valid_credit_code(c)]
    failures += [f"known invalid code accepted: {c}" for c in KNOWN_INVALID if is_valid_credit_code(c)]
    if WEIGHTS != [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]:
        failures.append(f"wrong weights {WEIGHTS}")
    if (not is_valid_credit_code("９１３５０１００Ｍ０００１００Ｙ４３ ")
            or not is_valid_credit_code("91350100-M000100 y43")):
        failures.append("normalisation (full-width, spaces, hyphens, lower case) is broken")
    if failures:
        raise SystemExit("credit-code self-check failed: " + "; ".join(failures))


# --- fictional vocabulary ------------------------------------------------------------------------

BUREAU_CITY = "云岚市"
BUREAU = f"{BUREAU_CITY}市场监督管理局"

DISTRICTS = [
    "青禾新区", "云岚区", "松溪街道", "柳塘区", "白鹭洲街道", "金沙湾新区", "桂香街道", "梧桐区",
    "石榴坡街道", "霞光新区", "枫林渡区", "竹影街道", "银杏湾区", "荷风街道", "雁鸣新区", "翠微坊街道",
    "明湖区", "星港新区", "芦花街道", "杏雨区", "桐荫街道", "碧波新区", "兰亭区", "蔚蓝街道",
    "清源湾区", "朝晖坡街道", "锦溪街道", "映山区", "听涛新区", "望海街道",
]

BRAND_CHARS = (
    "瑞丰鸿运金鑫华泰盛隆福兴嘉禾恒通达宏远诚信佳美鼎昌锦程和顺旺德源康宁安祥永裕腾飞博雅"
    "海天星辰明阳新创汇聚益众乐欣悦凯旭晟铭弘睿卓越晨曦尚品优择致远立邦正好友朋合力春秋"
)
ROAD_WORDS = ["文化", "建设", "人民", "解放", "和平", "幸福", "光明", "友谊", "长江", "黄河", "新华",
              "中山", "团结", "胜利", "东风", "朝阳", "育才", "复兴", "滨河", "工业", "迎宾", "府前"]
ROAD_SUFFIX = ["路", "东路", "西路", "南路", "北路", "街", "大道", "巷"]


@dataclass(frozen=True)
class Industry:
    """A kind of business: its name ending, register type, category, goods and typical issues."""

    suffix: str
    individual: bool  # 个体工商户 (92…) rather than a company (91…)
    category: str
    goods: tuple[str, ...]
    issues: tuple[str, ...]


INDUSTRIES = [
    Industry("牛肉面馆", True, "餐饮服务", ("牛肉面套餐", "外卖餐品", "储值卡", "凉菜拼盘"),
             ("餐品中发现异物", "实际收费高于菜单标价", "储值卡余额无法使用", "外卖送达时餐品洒漏",
              "就餐后出现身体不适")),
    Industry("餐饮管理有限公司", False, "餐饮服务", ("宴席套餐", "团购套餐", "自助餐券", "会员储值卡"),
             ("预订宴席后临时更改菜品", "团购券到店被拒绝使用", "宣传的菜品份量与实际不符",
              "收取未明示的服务费")),
    Industry("汽车维修服务有限公司", False, "生活社会服务", ("车辆保养", "发动机维修", "轮胎更换", "钣金喷漆"),
             ("维修后故障未排除", "更换配件与约定品牌不一致", "未经同意增加维修项目", "维修周期超出约定时间",
              "喷漆出现明显色差")),
    Industry("汽车销售服务有限公司", False, "交通工具", ("新车", "二手车", "延保服务", "车辆装潢"),
             ("交付车辆存在维修痕迹", "收取金融服务费未事先明示", "定金不予退还", "承诺的赠品未兑现")),
    Industry("商贸有限公司", False, "日用商品", ("床上用品", "厨房用具", "洗护用品", "收纳用品"),
             ("商品质量与宣传不符", "收货后发现商品破损", "退货申请长期未获处理", "商品标签信息不全")),
    Industry("健身服务有限公司", False, "预付式消费", ("健身年卡", "私教课程", "游泳次卡"),
             ("办卡后门店停业", "私教课程更换教练未告知", "会员卡无法办理退费", "场馆设施长期损坏未修复",
              "转店后要求补缴费用")),
    Industry("美发店", True, "美容美发服务", ("烫染服务", "护理套餐", "储值会员卡"),
             ("烫染效果与约定不符", "诱导办理高额储值卡", "消费前未告知项目价格", "储值卡余额被异常扣减")),
    Industry("美容服务有限公司", False, "预付式消费", ("皮肤护理疗程", "美容套餐", "护肤产品礼盒"),
             ("疗程未做完门店已转让", "护理后皮肤出现红肿", "推销产品时夸大功效", "次卡剩余次数被清零")),
    Industry("教育科技有限公司", False, "教育培训服务", ("英语培训课程", "编程兴趣班", "升学辅导课程", "线上学习账号"),
             ("课程未按约定开课", "中途退课退费金额存在争议", "宣传的师资与实际不符", "机构搬迁后无法继续上课")),
    Industry("家电销售有限公司", False, "家用电子电器", ("空调", "冰箱", "洗衣机", "电热水器", "电视机"),
             ("安装后出现漏水", "三包期内多次维修仍有故障", "送货安装严重延误", "赠品未按约定发放")),
    Industry("装饰工程有限公司", False, "房屋装修及物业", ("全屋装修", "厨卫翻新", "定制橱柜", "防水工程"),
             ("施工工期严重延误", "装修材料与合同约定不符", "完工后墙面出现开裂", "增项费用未事先说明")),
    Industry("物业服务有限公司", False, "房屋装修及物业", ("物业服务", "停车服务", "电梯维护"),
             ("电梯长期故障未修复", "公共区域卫生长期较差", "停车收费标准不明", "报修后长期未处理")),
    Industry("通讯器材店", True, "家用电子电器", ("智能手机", "平板电脑", "蓝牙耳机", "手机维修"),
             ("销售翻新机冒充新机", "维修后出现新的故障", "购买后七日内退货被拒", "配件并非原装")),
    Industry("便民超市", True, "食品", ("预包装食品", "乳制品", "散装零食", "冷冻食品"),
             ("销售超过保质期的食品", "价签与结算价格不一致", "商品包装破损漏气", "促销活动规则不清")),
    Industry("服饰店", True, "服装鞋帽", ("羽绒服", "运动鞋", "连衣裙", "皮鞋"),
             ("衣物洗涤后严重褪色", "鞋子穿着数日即开胶", "吊牌标注成分与实际不符", "换货要求被拒")),
    Industry("大药房有限公司", False, "医药及医疗用品", ("电子血压计", "保健食品", "医用口罩", "折叠轮椅"),
             ("夸大保健食品功效", "器械使用数日即损坏", "价格高于明码标价", "购买后发现临近有效期")),
    Industry("旅行社有限公司", False, "生活社会服务", ("跟团游", "自由行套餐", "研学旅行"),
             ("行程中擅自增加购物点", "住宿标准低于合同约定", "行程取消后退款延迟", "导游诱导额外消费")),
    Industry("网络科技有限公司", False, "互联网服务", ("会员订阅", "网络课程", "游戏充值", "小程序服务"),
             ("自动续费前未提醒", "注销账户流程繁琐", "付费后无法使用服务", "客服长期无人响应")),
    Industry("珠宝首饰店", True, "首饰", ("黄金项链", "银饰", "钻石戒指", "玉石手镯"),
             ("黄金克重不足", "以旧换新折价存在争议", "鉴定证书与实物不符", "维修后主石丢失")),
    Industry("干洗店", True, "生活社会服务", ("衣物干洗", "皮具护理", "窗帘清洗"),
             ("衣物洗后损坏", "取衣时发现衣物丢失", "洗后出现缩水", "收费高于价目表")),
    Industry("体育文化发展有限公司", False, "文化娱乐体育服务", ("羽毛球场地", "儿童游乐套票", "演出门票"),
             ("演出取消后未退票", "游乐设施停用未告知", "预订的场地被他人占用", "套票使用期限被缩短")),
    Industry("酒店管理有限公司", False, "生活社会服务", ("客房预订", "会议服务", "婚宴套餐"),
             ("到店后被告知无房", "房间卫生不达标", "押金退还延迟", "实际房型与预订不符")),
    Industry("通信工程有限公司", False, "电信服务", ("宽带安装", "通信套餐", "网络电视"),
             ("宽带网速远低于承诺", "套餐资费变更未告知", "拆机退费困难", "上门安装多次延误")),
    Industry("食品有限公司", False, "食品", ("月饼礼盒", "糕点", "坚果礼包", "速冻水饺"),
             ("食品中发现异物", "礼盒实际重量不足", "标签生产日期模糊不清", "食用后出现身体不适")),
]

TAXONOMY_YAML = """\
# 虚构站点的分类表，由 bench/generate.py 生成
categories:
  商品类: [家用电子电器, 日用商品, 食品, 医药及医疗用品, 服装鞋帽, 交通工具, 首饰]
  服务类: [餐饮服务, 预付式消费, 生活社会服务, 美容美发服务, 教育培训服务, 房屋装修及物业, 互联网服务, 电信服务,
          文化娱乐体育服务]
demands: [退货, 退款, 换货, 维修, 赔偿, 履行合同, 赔礼道歉, 其他]
results: [调解成功, 调解终止, 撤回, 不予受理, 移送有关部门, 其他]
"""

DEMANDS = ["退货", "退款", "换货", "维修", "赔偿", "履行合同", "赔礼道歉", "其他"]
DEMAND_WEIGHTS = [12, 34, 6, 10, 14, 14, 4, 6]
RESULTS = ["调解成功", "调解终止", "撤回", "不予受理", "移送有关部门", "其他"]
RESULT_WEIGHTS = [62, 14, 9, 5, 5, 5]

OPENINGS = [
    "消费者称于{m}月{d}日在该经营者处消费{goods}，支付{amount}元，反映{issue}，与经营者多次协商未果。",
    "消费者通过全国12315平台投诉，称在该经营者处购买{goods}（金额{amount}元）后{issue}，经营者一直未予解决。",
    "据消费者描述，其在该经营者处消费{goods}，{issue}，要求经营者{demand_text}，经营者以各种理由推脱。",
    "消费者反映，其在该店消费{goods}共计{amount}元，{issue}，联系店方后未得到答复。",
]
HANDLINGS = [
    "执法人员收到投诉后当日联系双方，调取了消费凭证和沟通记录。",
    "市场监管所工作人员组织双方现场调解，向经营者宣讲了保护消费者权益的相关法律规定。",
    "工作人员核实了合同条款和付款记录，认定经营者未充分履行告知义务。",
    "经电话沟通，经营者同意配合处理，并提供了相关交易记录。",
    "工作人员实地查看了经营场所，听取了双方陈述，并就争议焦点逐项核对。",
]
REMEDIES = {
    "退货": "同意办理退货并退还货款{amount}元",
    "退款": "退还消费者{amount}元",
    "换货": "为消费者更换了同型号的{goods}",
    "维修": "免费维修并将保修期延长三个月",
    "赔偿": "赔偿消费者{amount2}元",
    "履行合同": "承诺在{days}日内按合同约定履行义务",
    "赔礼道歉": "向消费者当面赔礼道歉",
    "其他": "与消费者达成和解",
}
OUTCOMES = {
    "调解成功": "经调解，经营者{remedy}，消费者表示满意。",
    "调解终止": "因双方对处理方案分歧较大，调解终止，已告知消费者可依法通过仲裁或诉讼途径解决。",
    "撤回": "消费者与经营者自行协商一致后撤回了投诉。",
    "不予受理": "因消费者未能提供有效消费凭证，依规定不予受理，并已书面告知消费者。",
    "移送有关部门": "因涉及价格违法线索，已移送有关部门依法处理。",
    "其他": "经核实属于合同纠纷，已引导消费者通过其他合法途径解决。",
}
STATEMENTS = [
    "本店已对相关问题进行全面整改，{improve}，欢迎广大消费者监督。",
    "对给消费者带来的不便深表歉意，我们已{improve}，今后将严格依法诚信经营。",
    "公司高度重视消费者反映的问题，已{improve}，并设立专人负责售后回访。",
]
IMPROVEMENTS = ["加强了员工服务培训", "完善了退款流程", "增设了售后服务专线", "规范了明码标价",
                "修订了预付卡合同条款", "建立了投诉快速处理机制", "更换了问题商品的供应商"]

# Words that must not occur anywhere in the generated site (checked per character below).
ABSENT_CANDIDATES = ["麒麟", "琵琶", "蝌蚪", "鹦鹉", "骆驼", "琥珀", "蜻蜓", "珊瑚", "蝙蝠", "企鹅",
                     "饕餮", "鸳鸯", "蟋蟀", "橄榄", "芭蕾", "蚯蚓", "螃蟹", "孔雀", "袋鼠", "猕猴",
                     "刺猬", "蜥蜴", "鹈鹕", "獾猪", "蟑螂", "蝌蚪文", "琉璃瓦", "舢舨"]

WARNING_TOPICS = [
    ("预付式消费", ["预付卡", "健身"], "办理预付卡前要核实经营者资质，分期购买，保留好合同和付款凭证。"),
    ("汽车维修", ["汽车", "维修"], "维修前索要书面报价单，更换配件时确认品牌型号，保留旧件和结算清单。"),
    ("家庭装修", ["装修", "合同"], "签订装修合同时写明材料品牌、工期和违约责任，分阶段验收后再付款。"),
    ("网络消费", ["网购", "自动续费"], "开通会员前看清自动续费规则，在到期前检查扣费设置。"),
    ("节日餐饮", ["餐饮", "节日"], "节日聚餐提前确认菜品、价格和服务费，索要消费票据。"),
    ("教育培训", ["培训", "预付卡"], "报名培训课程不要一次性缴纳过长周期的费用，注意合同中的退费条款。"),
    ("家用电器", ["家电", "三包"], "购买家电时保存好发票和三包凭证，安装时当面验机。"),
    ("旅游出行", ["旅游", "合同"], "选择有资质的旅行社，签订书面合同并明确行程和购物安排。"),
    ("食品安全", ["食品", "标签"], "购买食品时查看生产日期和保质期，发现异物时保留实物和购物凭证。"),
    ("美容美发", ["美容", "预付卡"], "警惕以免费体验为名诱导办卡，消费前问清项目价格。"),
]
WARNING_TYPES = ["消费提醒", "消费预警", "典型案例"]


# --- helpers -----------------------------------------------------------------------------------

_PLAIN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e·×—…“”‘’]"
                    r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e·×—…“”‘’A-Za-z0-9 .\-]*")


def y(value: str) -> str:
    """Return value as a YAML scalar: plain when clearly safe, else double-quoted."""
    if _PLAIN.fullmatch(value) and not value.endswith(" "):
        return value
    return json.dumps(value, ensure_ascii=False)


def month_periods(count: int, last: tuple[int, int] = (2026, 9)) -> list[str]:
    """Return count consecutive YYYY-MM periods ending with last, oldest first."""
    year, month = last
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def period_start(period: str) -> date:
    """First day of a YYYY-MM period."""
    return date(int(period[:4]), int(period[5:7]), 1)


def next_month(d: date) -> date:
    """First day of the month after d."""
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


@dataclass
class Merchant:
    """One fictional merchant, constant across periods."""

    index: int
    name: str
    brand: str
    district: str
    industry: Industry
    credit_code: str | None
    mid: str | None
    address: str | None
    withdrawn: bool = False  # withdrawn in at least one period
    latest: dict[str, int] = field(default_factory=dict)  # counts in the latest period


class Generator:
    """Deterministic generator of one site folder."""

    def __init__(self, n: int, periods: int, seed: int, per_district: bool = False) -> None:
        """Set up the random source and sizes."""
        self.n = n
        self.per_district = per_district
        self.periods = month_periods(periods)
        self.rng = random.Random(seed)
        self.merchants: list[Merchant] = []
        self.chars: set[str] = set()

    # - merchants -

    def make_merchants(self) -> None:
        """Create n merchants with unique names and unique valid credit codes."""
        rng = self.rng
        names: set[str] = set()
        codes: set[str] = set()
        region = {d: f"9901{i + 1:02d}" for i, d in enumerate(DISTRICTS)}
        for i in range(self.n):
            industry = rng.choice(INDUSTRIES)
            district = rng.choice(DISTRICTS)
            for attempt in range(1000):
                length = 2 if attempt < 20 else 3
                brand = "".join(rng.choice(BRAND_CHARS) for _ in range(length))
                if brand[0] == brand[1]:
                    continue
                name = f"{district}{brand}{industry.suffix}"
                if name not in names:
                    break
            else:
                raise RuntimeError("cannot find a unique merchant name")
            names.add(name)
            code = mid = None
            if rng.random() < 0.96:
                head = ("92" if industry.individual else "91") + region[district] + "MA"
                while True:
                    body = head + "".join(rng.choice(ALPHABET) for _ in range(7))
                    code = body + check_char(body)
                    if code not in codes:
                        codes.add(code)
                        break
            else:
                mid = f"m{i:06d}"
            address = None
            if rng.random() < 0.9:
                road = rng.choice(ROAD_WORDS) + rng.choice(ROAD_SUFFIX)
                address = f"{road}{rng.randint(1, 399)}号"
            self.merchants.append(Merchant(i, name, brand, district, industry, code, mid, address))

    # - complaints -

    def item_text(self, m: Merchant, period: str) -> tuple[date, list[str], bool]:
        """Return the date, YAML lines and mediation outcome of one disclosed complaint."""
        rng = self.rng
        start = period_start(period)
        received = start + timedelta(days=rng.randint(0, 27))
        handled = received + timedelta(days=rng.randint(2, 25))
        goods = rng.choice(m.industry.goods)
        issue = rng.choice(m.industry.issues)
        demand = rng.choices(DEMANDS, DEMAND_WEIGHTS)[0]
        result = rng.choices(RESULTS, RESULT_WEIGHTS)[0]
        amount = rng.choice([68, 128, 199, 260, 399, 580, 880, 1200, 1680, 2600, 3980, 6800])
        fill = {"m": received.month, "d": received.day, "goods": goods, "issue": issue,
                "amount": amount, "amount2": max(50, amount // 4), "days": rng.choice([7, 10, 15, 30]),
                "demand_text": "妥善处理" if demand == "其他" else demand}
        fill["remedy"] = REMEDIES[demand].format(**fill)
        detail = (rng.choice(OPENINGS).format(**fill) + rng.choice(HANDLINGS)
                  + OUTCOMES[result].format(**fill))
        lines = [f"      - received: {received.isoformat()}"]
        if rng.random() < 0.85:
            lines.append(f"        goods: {y(goods)}")
        lines += [f"        issue: {y(issue)}", f"        demand: {demand}", f"        result: {result}",
                  f"        handled: {handled.isoformat()}", f"        detail: {y(detail)}"]
        return received, lines, result == "调解成功"

    def period_files(self, period: str, latest: bool, per_district: bool) -> dict[str, str]:
        """Return the complaint files of one period: `<period>.yaml`, or `<period>/<district>.yaml` per district."""
        published = next_month(period_start(period)) + timedelta(days=self.rng.randint(9, 14))
        blocks = self.period_entries(period, latest, published)
        head = "# 虚构数据，由 bench/generate.py 生成，仅用于性能测试"
        if not per_district:
            lines = [head, f"period: {period}", f"published: {published.isoformat()}", f"department: {BUREAU}",
                     "merchants:"] + [line for _, block in blocks for line in block]
            return {f"{period}.yaml": "\n".join(lines) + "\n"}
        files = {}
        for k, district in enumerate(DISTRICTS):
            chosen = [line for where, block in blocks if where == district for line in block]
            if not chosen:
                continue
            day = published - timedelta(days=k % 4)  # each district office publishes on its own day
            lines = [head, f"period: {period}", f"published: {day.isoformat()}",
                     f"department: {BUREAU_CITY}{district}市场监管所", "merchants:"] + chosen
            files[f"{period}/{district}.yaml"] = "\n".join(lines) + "\n"
        return files

    def period_entries(self, period: str, latest: bool, published: date) -> list[tuple[str, list[str]]]:
        """Each merchant's YAML lines in one period, with its district."""
        rng = self.rng
        blocks: list[tuple[str, list[str]]] = []
        for m in self.merchants:
            out = [f"  - name: {y(m.name)}"]
            blocks.append((m.district, out))
            if m.credit_code:
                out.append(f'    credit_code: "{m.credit_code}"')
            else:
                out.append(f"    id: {m.mid}")
            out += [f"    district: {m.district}", f"    category: {m.industry.category}"]
            if m.address:
                out.append(f"    address: {y(m.address)}")
            n_items = rng.choices((0, 1, 2), (25, 45, 30))[0]
            drawn = sorted((self.item_text(m, period) for _ in range(n_items)), key=lambda t: t[0])
            items = [line for _, lines, _ in drawn for line in lines]
            n_mediated_items = sum(mediated_item for _, _, mediated_item in drawn)
            complaints = max(n_items, 1) + int(rng.expovariate(0.4))
            if rng.random() < 0.03:
                complaints *= rng.randint(4, 12)
            resolved = max(n_items, complaints - rng.choice((0, 0, 0, 0, 1, 2)))
            mediated = min(resolved, max(n_mediated_items, round(resolved * rng.uniform(0.4, 1.0))))
            out += [f"    complaints: {complaints}", f"    resolved: {resolved}"]
            if rng.random() < 0.9:
                out.append(f"    mediated: {mediated}")
            if rng.random() < 0.7:
                out.append(f"    recovered_yuan: {mediated * rng.choice((100, 180, 260, 450, 800))}")
            r = rng.random()
            status = ("withdrawn" if r < 0.003 else "under_review" if r < 0.013
                      else "corrected" if r < 0.018 else "active")
            if status != "active":
                out.append(f"    status: {status}")
            if status == "withdrawn":
                m.withdrawn = True
            if rng.random() < 0.35:
                text = rng.choice(STATEMENTS).format(improve=rng.choice(IMPROVEMENTS))
                out.append(f"    statement: {y(text)}")
            if status == "corrected":
                before = max(0, resolved - rng.randint(1, 3))
                fixed = published + timedelta(days=rng.randint(3, 20))
                out += ["    corrections:", f"      - date: {fixed.isoformat()}",
                        f"        change: {y(f'办结量由 {before} 更正为 {resolved}')}",
                        "        reason: 经营者申请复核后更正"]
            if items:
                out.append("    items:")
                out += items
            if latest and status != "withdrawn":
                m.latest = {"complaints": complaints, "resolved": resolved,
                            "mediated": mediated if resolved else 0}
        return blocks

    def rankings_file(self, period: str) -> str:
        """Return content/rankings/<period>.yaml with a score for every ranked merchant."""
        start = next_month(period_start(period))
        out = ["# 虚构数据，由 bench/generate.py 生成", f"period: {period}",
               f"effective: {(start + timedelta(days=14)).isoformat()}",
               "formula: 综合评价得分 = 办结率 × 60 + 调解成功率 × 40", "scores:"]
        for m in self.merchants:
            c = m.latest
            if not c:
                continue
            done = c["resolved"] / c["complaints"] if c["complaints"] else 0.0
            med = c["mediated"] / c["resolved"] if c["resolved"] else 0.0
            ref = f'"{m.credit_code}"' if m.credit_code else m.mid
            out += [f"  - merchant: {ref}", f"    score: {round(done * 60 + med * 40, 1)}"]
        return "\n".join(out) + "\n"

    # - articles -

    def warning_file(self, k: int) -> tuple[str, str]:
        """Return (file name, text) of warning number k."""
        rng = self.rng
        topic, tags, advice = WARNING_TOPICS[k % len(WARNING_TOPICS)]
        wtype = WARNING_TYPES[k % len(WARNING_TYPES)]
        period = self.periods[k % len(self.periods)]
        day = period_start(period) + timedelta(days=rng.randint(0, 27))
        title = {"消费提醒": f"关于{topic}的消费提醒（第{k + 1}期）",
                 "消费预警": f"{topic}领域消费预警（第{k + 1}期）",
                 "典型案例": f"{topic}投诉典型案例评析（第{k + 1}期）"}[wtype]
        pool = [m for m in self.merchants if not m.withdrawn]
        related = [m.credit_code or m.mid for m in rng.sample(pool, min(len(pool), rng.randint(0, 3)))]
        front = ["---", f"title: {y(title)}", f"date: {day.isoformat()}", f"type: {wtype}",
                 f"summary: {y(advice)}", f"tags: [{', '.join(tags)}]"]
        if related:
            front.append(f"related: [{', '.join(json.dumps(r) for r in related)}]")
        if k % 4 == 0:
            front.append(f"slug: warning-{day.isoformat()}-{k + 1:02d}")
        front.append("---")
        body = [
            f"近期，{BUREAU}陆续接到涉及{topic}的消费投诉，{day.month}月份共受理相关投诉"
            f"{rng.randint(30, 400)}件，同比上升{rng.randint(5, 60)}%。为帮助消费者防范风险，现发布{wtype}如下。",
            "",
            "## 一、主要问题",
            "",
        ]
        for issue in rng.sample([i for ind in INDUSTRIES for i in ind.issues], 4):
            body.append(f"- {issue}：部分经营者在消费者提出异议后拖延处理，甚至以格式条款排除自身责任。")
        body += ["", "## 二、消费提示", "", advice,
                 "遇到纠纷时，应先与经营者协商；协商不成的，可通过全国12315平台或拨打12315热线投诉，"
                 "也可依法申请仲裁或向人民法院提起诉讼。", ""]
        if wtype == "典型案例":
            body += ["## 三、案例", "", "| 时间 | 问题 | 处理结果 |", "| --- | --- | --- |"]
            for _ in range(3):
                ind = rng.choice(INDUSTRIES)
                body.append(f"| {day.year}年{rng.randint(1, 12)}月 | {rng.choice(ind.issues)} | "
                            f"{rng.choice(RESULTS)} |")
            body += ["", "以上案例中，经营者均未按约定履行义务。市场监管部门提醒经营者依法诚信经营，"
                     "主动公示服务标准和退费规则。", ""]
        body.append(f"{BUREAU}将持续加强对{topic}领域的监管，依法查处侵害消费者权益的违法行为。")
        name = f"{day.isoformat()}-{k + 1:02d}.md"
        return name, "\n".join(front + body) + "\n"

    def about_file(self) -> str:
        """Return content/pages/about.md."""
        return "\n".join([
            "---", "title: 关于本站", "slug: about", "order: 1", "---",
            f"本站由{BUREAU}主办，依法公示本市受理的消费投诉信息，包括经营者名称、投诉量、办结量、"
            "基本诉求和处理结果。",
            "", "## 公示说明", "",
            "- 公示信息来源于全国12315平台登记的投诉，按期汇总发布。",
            "- 投诉量与经营规模相关，不代表对经营者的整体评价。",
            "- 经营者对公示内容有异议的，可以申请复核；复核期间相关信息标注为复核中。",
            "", "## 数据下载", "",
            "本站提供全部公示数据的 CSV 与 JSON 格式下载，供社会公众查阅和研究。", "",
        ])

    def site_yaml(self) -> str:
        """Return site.yaml for the fictional bureau."""
        return "\n".join([
            "# 虚构站点，由 bench/generate.py 生成",
            f"title: {BUREAU_CITY}消费投诉信息公示",
            f"organizer: {BUREAU}",
            "base_url: https://www.example.gov.cn/gongshi/",
            "language: zh-CN",
            f"description: {BUREAU}依法公示消费投诉信息。",
            "theme: default",
            f"contact: 电话 12315 · {BUREAU_CITY}云岚区示例路1号",
            'site_id_code: "9901000001"',
            "icp: 示ICP备00000000号",
            "police_record: 示公网安备 99010002000001号",
            "correction_url: mailto:jiucuo@example.gov.cn",
            "rankings:",
            "  top_count: 3",
            "  bottom_count: 3",
            "  top_label: 红榜",
            "  bottom_label: 需改进",
            "  min_complaints: 3",
            "  disclaimer: 投诉量与经营规模相关，榜单不代表对经营者的整体评价。",
        ]) + "\n"

    # - queries -

    def queries(self, count: int = 200, absent: int = 20) -> list[dict[str, object]]:
        """Return search queries: name fragments, credit-code prefixes and absent words."""
        rng = self.rng
        eligible = [m for m in self.merchants if not m.withdrawn]
        chosen = rng.sample(eligible, min(count, len(eligible)))
        names = [m.name for m in eligible]
        codes = [m.credit_code for m in eligible if m.credit_code]
        out: list[dict[str, object]] = []
        for m in chosen:
            if m.credit_code and rng.random() < 0.2:
                q = m.credit_code[:rng.randint(12, 18)]
                out.append({"q": q, "expect": m.name, "kind": "code",
                            "matches": sum(c.startswith(q) for c in codes)})
                continue
            # a 2–4-character fragment that overlaps the brand part of the name
            size = rng.randint(2, 4)
            b0 = len(m.district)
            b1 = b0 + len(m.brand)
            lo = max(0, b0 - size + 1)
            hi = min(len(m.name) - size, b1 - 1)
            startpos = rng.randint(lo, hi)
            q = m.name[startpos:startpos + size]
            out.append({"q": q, "expect": m.name, "kind": "name",
                        "matches": sum(q in n for n in names)})
        words = [w for w in ABSENT_CANDIDATES if not (set(w) & self.chars)]
        for w in words[:absent]:
            out.append({"q": w, "expect": None, "kind": "absent", "matches": 0})
        return out

    # - writing -

    def write(self, root: Path, rel: str, text: str) -> None:
        """Write one UTF-8 file under root and remember its characters."""
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.chars.update(text)

    def run(self, root: Path) -> dict[str, int]:
        """Write the whole site folder and queries.json; return a few counts."""
        self.make_merchants()
        self.write(root, "site.yaml", self.site_yaml())
        self.write(root, "content/taxonomy.yaml", TAXONOMY_YAML)
        for i, period in enumerate(self.periods):
            latest = i == len(self.periods) - 1
            for rel, text in self.period_files(period, latest, self.per_district).items():
                self.write(root, f"content/complaints/{rel}", text)
        self.write(root, f"content/rankings/{self.periods[-1]}.yaml", self.rankings_file(self.periods[-1]))
        for k in range(20):
            name, text = self.warning_file(k)
            self.write(root, f"content/warnings/{name}", text)
        self.write(root, "content/pages/about.md", self.about_file())
        queries = self.queries()
        (root / "queries.json").write_text(json.dumps(queries, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
        return {"merchants": len(self.merchants), "periods": len(self.periods), "queries": len(queries)}


def generate_site(n: int, out_dir: Path | str, periods: int = 3, seed: int = 1,
                  per_district: bool = False) -> dict[str, int]:
    """Generate a fictional site with n merchants per period into out_dir (one file per district and period)."""
    self_check()
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise SystemExit(f"{root}: not empty")
    return Generator(n, periods, seed, per_district).run(root)


def main(argv: list[str] | None = None) -> int:
    """Command line: generate.py N OUT_DIR [--periods 3] [--seed 1]."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, help="merchants per period")
    parser.add_argument("out_dir", type=Path, help="site folder to create (must be empty or absent)")
    parser.add_argument("--periods", type=int, default=3, help="number of monthly periods (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--per-district", action="store_true",
                        help="write each period as one file per district (content/complaints/<period>/<district>.yaml)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.periods < 1:
        parser.error("N and --periods must be at least 1")
    t0 = time.perf_counter()
    counts = generate_site(args.n, args.out_dir, args.periods, args.seed, args.per_district)
    print(f"{counts['merchants']} merchants × {counts['periods']} periods, {counts['queries']} queries "
          f"→ {args.out_dir} in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
