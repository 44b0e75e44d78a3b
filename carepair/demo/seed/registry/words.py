"""Word material for the registry of people in need: what visitors write at the door,
where parents work, schools, reasons for risk and referrals. Invented, in the words a
township's records use."""

# Given names of children born since about 2008 (the elders' names come from names.py).
CHILD_GIVEN_MALE = list("子梓浩宇轩博睿泽俊熙晨皓铭航天一诺思嘉鑫锦瑞毅宸逸杰奕")
CHILD_GIVEN_FEMALE = list("欣怡梓涵诗雨萱可馨悦佳彤琪语若依茜婧妍雯瑶晗蕊璐")

# Where a left-behind child's parents work, and how often they come home from there.
# (place, how often they come home: weights of weekly, monthly, quarterly, yearly, rarely)
WORK_PLACES = [
    ("广东省东莞市", (0, 0, 2, 7, 1)),
    ("广东省深圳市", (0, 0, 2, 7, 1)),
    ("广东省佛山市", (0, 0, 2, 7, 1)),
    ("浙江省宁波市", (0, 0, 2, 7, 1)),
    ("浙江省义乌市", (0, 0, 2, 7, 1)),
    ("福建省晋江市", (0, 0, 1, 8, 1)),
    ("江苏省苏州市", (0, 0, 2, 7, 1)),
    ("上海市", (0, 0, 2, 7, 1)),
    ("北京市", (0, 0, 1, 8, 1)),
    ("新疆维吾尔自治区乌鲁木齐市", (0, 0, 1, 6, 3)),
    ("西藏自治区拉萨市", (0, 0, 1, 6, 3)),
    ("成都市", (1, 6, 3, 1, 0)),
    ("重庆市", (0, 5, 4, 1, 0)),
    ("眉山市", (3, 6, 1, 0, 0)),
    ("宜宾市", (1, 6, 3, 0, 0)),
]
JOBS = ["电子厂", "服装厂", "建筑工地", "家具厂", "餐馆", "物流公司", "鞋厂", "汽配厂", "快递网点",
        "装修队", "超市", "玩具厂", "食品厂", "酒店"]  # fmt: skip

# Who looks after a left-behind or vulnerable child (relation, age range).
GRANDPARENTS = [("祖父", 58, 80), ("祖母", 55, 78), ("外祖父", 58, 80), ("外祖母", 55, 78)]
KIN = [("伯父", 38, 60), ("叔叔", 30, 50), ("姑姑", 30, 52), ("舅舅", 30, 52), ("姨妈", 30, 52)]
GUARDIAN_HEALTH = ["良好", "良好", "良好", "一般", "患高血压", "患慢性病", "行动不便", "视力较差"]
# A child's care parent (代理家长) or caring mother (爱心妈妈): who they usually are.
CARE_PARENTS = ["村妇联主席", "村干部", "班主任", "学校教师", "党员志愿者", "巾帼志愿者",
                "社工", "村医"]  # fmt: skip

# An elder's emergency contact (relation, shares the elder's surname).
ELDER_CONTACTS = [
    ("儿子", True), ("儿子", True), ("女儿", True), ("女儿", False), ("儿媳", False),
    ("女婿", False), ("侄子", True), ("孙子", True), ("孙女", True), ("邻居", False),
    ("村民小组长", False),
]  # fmt: skip
# An elder's guardian when they cannot look after themselves.
ELDER_GUARDIANS = [("配偶", False), ("儿子", True), ("女儿", True), ("儿媳", False)]

ELDER_CONDITIONS = ["高血压", "糖尿病", "冠心病", "慢阻肺", "关节炎", "脑梗后遗症", "白内障",
                    "骨质疏松", "阿尔茨海默病", "帕金森病", "慢性胃炎", "听力下降"]  # fmt: skip
ELDER_DISABILITY = ["肢体", "视力", "听力", "肢体", "言语"]
SELF_CARE = {"disabled": "完全不能自理", "partly_disabled": "部分自理"}

CHILD_DISABILITY = [
    # (type, conditions)
    ("肢体", "脑瘫"),
    ("肢体", "先天性肢体缺失"),
    ("智力", "智力发育迟缓"),
    ("智力", "唐氏综合征"),
    ("精神", "孤独症谱系障碍"),
    ("听力", "先天性耳聋"),
    ("视力", "先天性白内障"),
    ("言语", "言语发育障碍"),
    ("多重", "脑瘫伴智力障碍"),
]
CHILD_CONDITIONS = ["先天性心脏病", "哮喘", "癫痫", "营养不良", "弱视"]

# Why a child is at risk (困境儿童, 事实无人抚养, 留守): by what is known of the family.
RISK_REASONS = {
    "left_behind": ["父母均在外务工", "祖辈年迈多病", "祖辈监护能力较弱", "父母常年未返乡",
                    "与父母联系较少"],
    "one_parent": ["父母离异，父亲在外务工", "母亲离家出走，父亲在外务工",
                   "母亲患病，父亲在外务工"],
    "orphan": ["父母双亡", "父母双亡，由祖辈抚养"],
    "unsupported": ["父亲服刑，母亲失联", "父母均重残", "父亲死亡，母亲失联", "父母均重病"],
    "difficulty": ["家庭经济困难", "父母一方重病", "父母一方重残", "单亲家庭，经济困难"],
    "disabled": ["本人残疾", "本人残疾，需长期康复"],
    "school": ["学习成绩下滑", "厌学，时有逃课", "沉迷网络游戏", "性格内向、少言寡语",
               "情绪低落", "与同学交往困难"],
}  # fmt: skip

REFERRAL_REASONS = ["情绪持续低落，有抑郁倾向", "父母离异后适应困难", "厌学、逃课", "校园人际冲突",
                    "沉迷网络游戏", "自伤行为", "焦虑、失眠", "亲人去世后哀伤反应"]  # fmt: skip
REFERRAL_OUTCOMES = ["完成8次个体辅导，情绪稳定", "纳入团体辅导，已返校正常学习",
                     "转介至市精神卫生中心后好转", "家校共育，学习状态改善",
                     "与父母恢复定期视频联系，情绪好转"]  # fmt: skip
MENTAL_HEALTH = {"open": "心理辅导中", "closed": "经心理辅导，情绪稳定"}

# What a visitor notes at the door (notes), by who lives there.
ELDER_NOTES = ["老人精神状态良好，家中整洁", "老人身体状况稳定，按时服药", "帮助老人打扫卫生",
               "与老人拉家常，了解生活情况", "检查了家中用电、用气安全", "老人反映生活基本正常",
               "为老人测量血压", "提醒老人注意防诈骗", "为老人代缴电费",
               "子女近期回家探望过"]  # fmt: skip
CHILD_NOTES = ["孩子学习正常，由祖辈照看", "与孩子谈心，情绪良好", "检查作业完成情况",
               "提醒监护人注意防溺水", "与孩子父母视频通话", "孩子在校表现良好",
               "为孩子送去学习用品", "了解孩子假期安排"]  # fmt: skip
NOT_HOME_NOTES = ["敲门未应，电话联系确认平安", "老人外出赶场，改日再访",
                  "到亲戚家小住，电话确认平安"]  # fmt: skip
# Needs seen at the door that were met on the spot or passed on (not raised as problems).
ELDER_NEEDS = ["需要代购常用药品", "希望有人陪同就医", "冬季缺少御寒被褥", "需要维修门窗",
               "希望帮助办理高龄津贴", "需要助餐服务", "需要家政服务",
               "需要申请适老化改造"]  # fmt: skip
CHILD_NEEDS = ["需要课业辅导", "缺少学习用品", "希望与父母多联系", "需要心理疏导",
               "需要申请教育资助"]  # fmt: skip

# Why someone left the registry.
DEATH_NOTES = ["病故", "因病去世", "自然死亡"]
MOVED_NOTES = ["随子女迁往成都市", "随子女迁往外省", "户籍迁出", "入住外县养老机构",
               "随父母迁往外省"]  # fmt: skip
