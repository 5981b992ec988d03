"""The layout of the 政府信息公开工作年度报告 tables (国办公开办函〔2021〕30号 format), as data.

Table 二 (主动公开), 三 (依申请公开) and 四 (行政复议和行政诉讼) with their row and column codes,
Chinese labels and sums: every 总计 (and every heading that stands for its items, such as
（三）不予公开) is the sum of its parts, and in table 三 一 + 二 = 三(七)总计 + 四 for every column.
Table 二 also carries an addendum the format does not have (``2.D``: datasets published, changed and
withdrawn in the year), marked as such.
"""

from __future__ import annotations

# table 二: (row code, label, [(column code, column label)], section)
ACTIVE = [
    (
        "2.1",
        "规章",
        [("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")],
        "第二十条第（一）项",
    ),
    (
        "2.2",
        "行政规范性文件",
        [("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")],
        "第二十条第（一）项",
    ),
    ("2.3", "行政许可", [("decisions", "本年处理决定数量")], "第二十条第（五）项"),
    ("2.4", "行政处罚", [("decisions", "本年处理决定数量")], "第二十条第（六）项"),
    ("2.5", "行政强制", [("decisions", "本年处理决定数量")], "第二十条第（六）项"),
    ("2.6", "行政事业性收费", [("amount", "本年收费金额（单位：万元）")], "第二十条第（八）项"),
]
ADDENDUM = [  # not in the official format: the catalogue's own record of the year
    ("2.D.1", "本年新开放数据集", [("datasets", "数据集数量")], "附：数据开放"),
    ("2.D.2", "本年更新数据集", [("datasets", "数据集数量")], "附：数据开放"),
    ("2.D.3", "本年撤销数据集", [("datasets", "数据集数量")], "附：数据开放"),
]

# table 三: columns (申请人情况) and rows; a row with parts is their sum
APPLICANTS = [
    ("natural", "自然人"),
    ("commercial", "法人或其他组织：商业企业"),
    ("research", "法人或其他组织：科研机构"),
    ("social", "法人或其他组织：社会公益组织"),
    ("legal", "法人或其他组织：法律服务机构"),
    ("other", "法人或其他组织：其他"),
]
APPLICANT_TOTAL = ("total", "总计")
# (row code, input key, label, parts)
APPLICATIONS = [
    ("3.1", "new", "一、本年新收政府信息公开申请数量", []),
    ("3.2", "carried_over", "二、上年结转政府信息公开申请数量", []),
    ("3.3.1", "disclosed", "三、本年度办理结果（一）予以公开", []),
    ("3.3.2", "partly_disclosed", "三、本年度办理结果（二）部分公开（区分处理的，只计这一情形，不计其他情形）", []),
    (
        "3.3.3",
        "withheld",
        "三、本年度办理结果（三）不予公开",
        [
            ("3.3.3.1", "withheld_state_secret", "1.属于国家秘密"),
            ("3.3.3.2", "withheld_law", "2.其他法律行政法规禁止公开"),
            ("3.3.3.3", "withheld_security", "3.危及“三安全一稳定”"),
            ("3.3.3.4", "withheld_third_party", "4.保护第三方合法权益"),
            ("3.3.3.5", "withheld_internal", "5.属于三类内部事务信息"),
            ("3.3.3.6", "withheld_process", "6.属于四类过程性信息"),
            ("3.3.3.7", "withheld_case_file", "7.属于行政执法案卷"),
            ("3.3.3.8", "withheld_inquiry", "8.属于行政查询事项"),
        ],
    ),
    (
        "3.3.4",
        "unable",
        "三、本年度办理结果（四）无法提供",
        [
            ("3.3.4.1", "unable_not_held", "1.本机关不掌握相关政府信息"),
            ("3.3.4.2", "unable_needs_making", "2.没有现成信息需要另行制作"),
            ("3.3.4.3", "unable_unclear", "3.补正后申请内容仍不明确"),
        ],
    ),
    (
        "3.3.5",
        "not_handled",
        "三、本年度办理结果（五）不予处理",
        [
            ("3.3.5.1", "not_handled_petition", "1.信访举报投诉类申请"),
            ("3.3.5.2", "not_handled_repeat", "2.重复申请"),
            ("3.3.5.3", "not_handled_publication", "3.要求提供公开出版物"),
            ("3.3.5.4", "not_handled_mass", "4.无正当理由大量反复申请"),
            ("3.3.5.5", "not_handled_confirm", "5.要求行政机关确认或重新出具已获取信息"),
        ],
    ),
    (
        "3.3.6",
        "other_handling",
        "三、本年度办理结果（六）其他处理",
        [
            ("3.3.6.1", "other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
            ("3.3.6.2", "other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
            ("3.3.6.3", "other_other", "3.其他"),
        ],
    ),
    ("3.3.7", "results_total", "三、本年度办理结果（七）总计", []),
    ("3.4", "carried_forward", "四、结转下年度继续办理", []),
]
RESULTS = ["3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.3.5", "3.3.6"]  # (七)总计 is their sum

# table 四: one row, three groups of five columns
OUTCOMES = [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结")]
OUTCOME_TOTAL = ("total", "总计")
APPEALS = [
    ("review", "行政复议"),
    ("litigation_direct", "行政诉讼：未经复议直接起诉"),
    ("litigation_after_review", "行政诉讼：复议后起诉"),
]

TABLES = {
    "二": "主动公开政府信息情况",
    "三": "收到和处理政府信息公开申请情况",
    "四": "政府信息公开行政复议、行政诉讼情况",
}


def application_rows() -> list[tuple[str, str, str]]:
    """Every row of table 三 in order, parts after their heading: (code, input key, label)."""
    out = []
    for code, key, label, parts in APPLICATIONS:
        out.append((code, key, label))
        out += [(c, k, f"{label}：{lab}") for c, k, lab in parts]
    return out


# The same labels in English, for the interface in English (the format has no official English; the
# tables' data keep the Chinese labels). Row labels of table 三's parts are "<heading>: <part>".
EN = {
    "主动公开政府信息情况": "Information disclosed proactively",
    "收到和处理政府信息公开申请情况": "Disclosure requests received and handled",
    "政府信息公开行政复议、行政诉讼情况": "Administrative reconsideration and litigation over disclosure",
    "第二十条第（一）项": "Art. 20 (1)",
    "第二十条第（五）项": "Art. 20 (5)",
    "第二十条第（六）项": "Art. 20 (6)",
    "第二十条第（八）项": "Art. 20 (8)",
    "附：数据开放": "Addendum: open data",
    "规章": "Rules",
    "行政规范性文件": "Administrative normative documents",
    "行政许可": "Administrative licensing",
    "行政处罚": "Administrative penalties",
    "行政强制": "Administrative enforcement",
    "行政事业性收费": "Administrative fees",
    "本年制发件数": "Issued this year",
    "本年废止件数": "Repealed this year",
    "现行有效件数": "In force",
    "本年处理决定数量": "Decisions this year",
    "本年收费金额（单位：万元）": "Fees collected this year (10,000 yuan)",
    "本年新开放数据集": "Datasets opened this year",
    "本年更新数据集": "Datasets updated this year",
    "本年撤销数据集": "Datasets withdrawn this year",
    "数据集数量": "Datasets",
    "自然人": "Natural persons",
    "法人或其他组织：商业企业": "Organisations: businesses",
    "法人或其他组织：科研机构": "Organisations: research institutions",
    "法人或其他组织：社会公益组织": "Organisations: public-interest organisations",
    "法人或其他组织：法律服务机构": "Organisations: legal service providers",
    "法人或其他组织：其他": "Organisations: other",
    "总计": "Total",
    "一、本年新收政府信息公开申请数量": "1. New requests this year",
    "二、上年结转政府信息公开申请数量": "2. Requests carried over from last year",
    "三、本年度办理结果（一）予以公开": "3. Outcomes this year (1) Disclosed",
    "三、本年度办理结果（二）部分公开（区分处理的，只计这一情形，不计其他情形）": (
        "3. Outcomes this year (2) Partly disclosed (counted here only)"
    ),
    "三、本年度办理结果（三）不予公开": "3. Outcomes this year (3) Withheld",
    "1.属于国家秘密": "1. State secret",
    "2.其他法律行政法规禁止公开": "2. Barred by other laws or regulations",
    "3.危及“三安全一稳定”": "3. Endangers national, public or economic security or social stability",
    "4.保护第三方合法权益": "4. Protects a third party's lawful rights",
    "5.属于三类内部事务信息": "5. Internal affairs",
    "6.属于四类过程性信息": "6. Information in process",
    "7.属于行政执法案卷": "7. Law-enforcement case files",
    "8.属于行政查询事项": "8. Administrative enquiry matters",
    "三、本年度办理结果（四）无法提供": "3. Outcomes this year (4) Cannot be provided",
    "1.本机关不掌握相关政府信息": "1. Not held by this body",
    "2.没有现成信息需要另行制作": "2. Would have to be newly made",
    "3.补正后申请内容仍不明确": "3. Still unclear after correction",
    "三、本年度办理结果（五）不予处理": "3. Outcomes this year (5) Not handled",
    "1.信访举报投诉类申请": "1. Petitions, reports or complaints",
    "2.重复申请": "2. Repeated requests",
    "3.要求提供公开出版物": "3. Requests for published materials",
    "4.无正当理由大量反复申请": "4. Mass repeated requests without good reason",
    "5.要求行政机关确认或重新出具已获取信息": "5. Requests to confirm or reissue information already obtained",
    "三、本年度办理结果（六）其他处理": "3. Outcomes this year (6) Otherwise handled",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": (
        "1. Not corrected in time without good reason: no longer handled"
    ),
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": "2. Fee not paid in time: no longer handled",
    "3.其他": "3. Other",
    "三、本年度办理结果（七）总计": "3. Outcomes this year (7) Total",
    "四、结转下年度继续办理": "4. Carried over to next year",
    "结果维持": "Upheld",
    "结果纠正": "Corrected",
    "其他结果": "Other outcome",
    "尚未审结": "Pending",
    "行政复议": "Administrative reconsideration",
    "行政诉讼：未经复议直接起诉": "Litigation: filed directly",
    "行政诉讼：复议后起诉": "Litigation: after reconsideration",
}


def english(label: str) -> str:
    """A label of the format in English: a row of table 三's parts is its heading's and its own."""
    if label in EN:
        return EN[label]
    head, sep, part = label.partition("：")
    if sep and head in EN and part in EN:
        return f"{EN[head]}: {EN[part]}"
    return label
