"""The import template (导入模板): its columns, the words it accepts for living
arrangements and categories, and the template files people download (.xlsx with a
sheet explaining each column, and CSV)."""

import csv
import io
from dataclasses import dataclass

from carepair.people import idnumber
from carepair.people.models import (
    CHILD_CATEGORIES,
    Category,
    Living,
)


@dataclass(frozen=True)
class Column:
    """A column of the template: its key (also accepted as a header), its Chinese header,
    whether every row must fill it, and what the template's second sheet says of it."""

    key: str
    header: str
    required: bool
    explains: str
    example: str


COLUMNS = (
    Column("name", "姓名", True, "本人姓名，最多 64 个字。", "王秀英"),
    Column(
        "id_number",
        "身份证号",
        True,
        "18 位居民身份证号（末位可为 X）；15 位老号码会自动转为 18 位。"
        "请把这一列设为“文本”格式，否则 Excel 会把 18 位数字改掉末几位。",
        "51110219440305002X",
    ),
    Column("sex", "性别", False, "男 或 女；可不填，以身份证号为准，填了须与身份证号一致。", "女"),
    Column(
        "birth_date",
        "出生日期",
        False,
        "如 1944-03-05；可不填，以身份证号为准，填了须与身份证号一致。",
        "1944-03-05",
    ),
    Column("phone", "联系电话", False, "手机或座机号码。", "13800001111"),
    Column("household_address", "户籍地址", False, "最多 200 个字。", "乐山市市中区凌云路 1 号"),
    Column("address", "现住址", False, "最多 200 个字。", "乐山市市中区凌云路 1 号"),
    Column(
        "village_code",
        "村（社区）代码",
        True,
        "本人所在村或社区的 12 位统计用区划代码，须在您的辖区内。",
        "511102001001",
    ),
    Column(
        "living",
        "居住情况",
        False,
        "独居、仅与配偶同住、与子女同住、与其他亲属或监护人同住、机构集中供养、其他 之一；"
        "不填为“其他”。",
        "独居",
    ),
    Column(
        "categories",
        "帮扶类别",
        False,
        "一个或几个类别，用分号（；）或顿号（、）隔开；某个类别的认定日期不同于“认定日期”列时，"
        "写在类别后的括号里，如：独居；高龄（2024-03-05）。类别名称见下表。",
        "独居；高龄（2024-03-05）",
    ),
    Column(
        "categories_since",
        "认定日期",
        False,
        "帮扶类别的认定日期（括号里没写日期的类别都用它）；不填为导入当天。",
        "2023-06-01",
    ),
    Column(
        "categories_source", "认定单位", False, "如 市中区民政局，最多 64 个字。", "市中区民政局"
    ),
    Column(
        "contact_name",
        "监护人或紧急联系人",
        False,
        "儿童填监护人，老人填紧急联系人。",
        "李建国",
    ),
    Column("contact_relation", "与本人关系", False, "如 儿子、女儿、祖父。", "儿子"),
    Column("contact_phone", "联系人电话", False, "联系人的手机或座机号码。", "13900002222"),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c.key for c in COLUMNS if c.required)

# Headers people write for the same column.
ALIASES = {
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "身份证": "id_number",
    "电话": "phone",
    "手机号": "phone",
    "手机号码": "phone",
    "村代码": "village_code",
    "社区代码": "village_code",
    "村（社区）编码": "village_code",
    "区划代码": "village_code",
    "类别": "categories",
    "监护人": "contact_name",
    "紧急联系人": "contact_name",
}

# The words of the template for living arrangements and categories, as the Chinese UI
# shows them; the English keys are accepted too.
LIVING_WORDS = {
    "独居": Living.ALONE,
    "仅与配偶同住": Living.SPOUSE,
    "与配偶同住": Living.SPOUSE,
    "与子女同住": Living.CHILDREN,
    "与其他亲属或监护人同住": Living.RELATIVES,
    "与亲属同住": Living.RELATIVES,
    "机构集中供养": Living.INSTITUTION,
    "住养老机构": Living.INSTITUTION,
    "其他": Living.OTHER,
    **{v: v for v in Living.values},
}
CATEGORY_WORDS = {
    "特困供养": Category.EXTREME_HARDSHIP,
    "特困": Category.EXTREME_HARDSHIP,
    "低保": Category.DIBAO,
    "低保边缘": Category.NEAR_DIBAO,
    "独居": Category.ALONE,
    "空巢": Category.EMPTY_NEST,
    "留守老人": Category.LEFT_BEHIND_ELDER,
    "失能": Category.DISABLED,
    "半失能": Category.PARTLY_DISABLED,
    "高龄": Category.OVER_80,
    "计生特殊家庭": Category.FAMILY_PLANNING,
    "孤儿": Category.ORPHAN,
    "事实无人抚养": Category.UNSUPPORTED_CHILD,
    "事实无人抚养儿童": Category.UNSUPPORTED_CHILD,
    "留守儿童": Category.LEFT_BEHIND_CHILD,
    "困境儿童": Category.CHILD_IN_DIFFICULTY,
    "残疾儿童": Category.DISABLED_CHILD,
    **{v: v for v in Category.values},
}
# The name the template gives each category (the first word above for it).
CATEGORY_NAMES = {}
for _word, _value in CATEGORY_WORDS.items():
    CATEGORY_NAMES.setdefault(_value, _word)
SEX_WORDS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}

EXAMPLE_ID = "51110219440305002" + idnumber.check_character("51110219440305002")


def _example_row() -> list[str]:
    return [EXAMPLE_ID if c.key == "id_number" else c.example for c in COLUMNS]


def template_csv() -> bytes:
    """The template as CSV, in UTF-8 with the BOM that makes Excel read it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow(_example_row())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_workbook() -> bytes:
    """The template: the header row and an example row (to delete), the text columns set
    to text so Excel keeps every digit, and a sheet explaining each column and naming
    the categories and living arrangements."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "帮扶对象"
    sheet.append([c.header for c in COLUMNS])
    sheet.append(_example_row())
    required = PatternFill("solid", fgColor="FDE2E1")
    for i, column in enumerate(COLUMNS, start=1):
        head = sheet.cell(row=1, column=i)
        head.font = Font(bold=True, color="9B2C2C" if column.required else "000000")
        if column.required:
            head.fill = required
        example = sheet.cell(row=2, column=i)
        example.font = Font(italic=True, color="808080")
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.key in ("id_number", "phone", "village_code", "contact_phone"):
            sheet.column_dimensions[letter].number_format = "@"
            example.number_format = "@"
    sheet.freeze_panes = "A2"

    notes = book.create_sheet("填写说明")
    notes.append(["列名", "必填", "说明", "示例"])
    for column in COLUMNS:
        example = EXAMPLE_ID if column.key == "id_number" else column.example
        notes.append([column.header, "是" if column.required else "", column.explains, example])
    notes.append([])
    notes.append(
        [
            "第 2 行是示例，导入前请删除；红色列名为必填。整份文件有任何一行出错则全部不导入，"
            "并给出错误报告（也可选择只导入无误的行）。"
        ]
    )
    notes.append([])
    notes.append(["帮扶类别", "适用对象"])
    for value, word in CATEGORY_NAMES.items():
        notes.append([word, "儿童（未满 18 岁）" if value in CHILD_CATEGORIES else "老人"])
    notes.append([])
    notes.append(["居住情况"])
    for word in (
        "独居",
        "仅与配偶同住",
        "与子女同住",
        "与其他亲属或监护人同住",
        "机构集中供养",
        "其他",
    ):
        notes.append([word])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["C"].width = 80
    notes.column_dimensions["D"].width = 26
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
