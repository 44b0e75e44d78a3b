"""Ledger material for the synthetic Leshan: what visits, activities, gifts and problems
are called and what they are worth, in the programme's own words.

Activity categories and problem categories are the models' values; money is integer fen.
"""

import datetime

# ---------------------------------------------------------------------------------------
# Festivals (传统节日). Lunar festivals move, so their Gregorian dates are listed.
# ---------------------------------------------------------------------------------------

LUNAR_FESTIVALS = {
    # year: (春节, 端午, 中秋, 重阳)
    2020: ("01-25", "06-25", "10-01", "10-25"),
    2021: ("02-12", "06-14", "09-21", "10-14"),
    2022: ("02-01", "06-03", "09-10", "10-04"),
    2023: ("01-22", "06-22", "09-29", "10-23"),
    2024: ("02-10", "06-10", "09-17", "10-11"),
    2025: ("01-29", "05-31", "10-06", "10-29"),
    2026: ("02-17", "06-19", "09-25", "10-18"),
    2027: ("02-06", "06-09", "09-15", "10-08"),
    2028: ("01-26", "05-28", "10-03", "10-26"),
    2029: ("02-13", "06-16", "09-22", "10-16"),
    2030: ("02-03", "06-05", "09-12", "10-05"),
}
# For years outside the table: a typical date of each.
_TYPICAL = ("02-05", "06-10", "09-20", "10-15")

# Festival -> the visits made for it (titles) and what is brought (materials keys).
FESTIVALS = {
    "spring": (
        [
            "春节送温暖慰问活动",
            "新春走访慰问",
            "迎新春送春联送祝福",
            "春节前走访慰问入住老人",
            "“温暖过冬”慰问活动",
            "新春团年饭陪餐活动",
        ],
        ["rice", "oil", "quilt", "down_jacket", "fruit", "cash"],
    ),
    "lantern": (["元宵节包汤圆活动", "元宵节猜灯谜联欢"], ["tangyuan", "fruit"]),
    "children": (
        ["六一儿童节关爱慰问", "“童心向党”六一慰问活动"],
        ["schoolbag", "books", "stationery"],
    ),
    "dragon_boat": (
        ["端午节包粽子慰问活动", "端午送温暖", "端午节走访慰问"],
        ["zongzi", "oil", "milk"],
    ),
    "mid_autumn": (
        ["中秋节走访慰问", "中秋送月饼慰问活动", "“月圆中秋”联欢慰问"],
        ["mooncake", "fruit", "milk"],
    ),
    "national_day": (["国庆节走访慰问", "喜迎国庆慰问活动"], ["rice", "oil", "milk"]),
    "double_ninth": (
        ["重阳节走访慰问", "重阳敬老慰问活动", "重阳节为老人集体祝寿", "“九九重阳·浓浓敬老情”慰问"],
        ["rice", "oil", "milk", "cane", "blood_pressure"],
    ),
    "winter": (
        ["冬至送温暖慰问", "“温暖过冬”送御寒物资"],
        ["quilt", "heater", "electric_blanket", "down_jacket"],
    ),
}


def festival_dates(year: int) -> dict[str, datetime.date]:
    spring, dragon, autumn, ninth = LUNAR_FESTIVALS.get(year, _TYPICAL)

    def day(md: str) -> datetime.date:
        month, dom = md.split("-")
        return datetime.date(year, int(month), int(dom))

    return {
        "spring": day(spring),
        "lantern": day(spring) + datetime.timedelta(days=14),
        "children": datetime.date(year, 6, 1),
        "dragon_boat": day(dragon),
        "mid_autumn": day(autumn),
        "national_day": datetime.date(year, 10, 1),
        "double_ninth": day(ninth),
        "winter": datetime.date(year, 12, 22),
    }


# How often each festival is marked, relative to the others.
FESTIVAL_WEIGHTS = {
    "spring": 30,
    "lantern": 4,
    "children": 5,
    "dragon_boat": 12,
    "mid_autumn": 16,
    "national_day": 8,
    "double_ninth": 20,
    "winter": 5,
}
# Festival visits fall on the day or in the days before it.
FESTIVAL_LEAD_DAYS = {"spring": 20, "lantern": 3, "children": 4, "winter": 10}

# ---------------------------------------------------------------------------------------
# Activities (帮扶活动) by category: titles and what may be given.
# ---------------------------------------------------------------------------------------

ACTIVITY_TITLES = {
    "environment": [
        "院内卫生大清扫", "环境卫生整治志愿服务", "院区绿化美化提升", "排污设施改造提升",
        "屋面防水维修", "化粪池清淤", "老人居室粉刷翻新", "院坝硬化和绿化", "卫生间适老化改造",
        "食堂后厨清洁整治", "“大清扫”活动", "院内花园补植绿化", "雨污管网疏通",
    ],
    "safety": [
        "安全隐患大排查大整治", "消防安全检查", "消防应急疏散演练", "防范电信诈骗宣讲",
        "食品安全检查", "电气线路安全检查", "冬季防火安全培训", "燃气安全排查", "汛期安全检查",
        "指导修订安全应急预案", "建筑结构安全检查评估", "防骗反诈知识讲座",
    ],
    "hardship": [
        "困难老人纾困帮扶", "协调解决入住老人医保报销问题", "帮助办理残疾人证",
        "为特困老人申请临时救助", "留守儿童结对关爱", "协调解决机构用水难题",
        "失散儿童DNA信息采集", "协调开通“爱心”专线公交", "帮助老人办理养老保险认证",
        "协调解决机构运行经费困难",
    ],
    "culture": [
        "歌舞汇演", "书画比赛", "文艺汇演进养老院", "电影放映进机构", "老年趣味运动会",
        "书法培训", "手工制作活动", "川剧表演慰问", "音乐素养培训", "读书分享会",
        "“乐善夕阳红·大爱耀嘉州”主题活动", "“大爱乐山·呵护你成长”主题活动", "包饺子联谊活动",
    ],
    "health": [
        "义诊义检", "送医送药", "健康讲座", "老年人中医调养专题讲座", "康复按摩指导",
        "老年人健康体检", "口腔健康检查", "心理健康辅导", "视力筛查", "慢性病防治知识讲座",
        "“千名医护走基层”巡诊", "儿童生长发育评估",
    ],
    "training": [
        "养老护理员技能培训", "养老护理员实操培训", "消防器材使用培训", "机构管理规范化培训",
        "适老化服务指导", "儿童照料技能培训", "膳食营养搭配指导", "财务管理指导",
        "失能老人照护技能培训", "残疾儿童康复训练指导",
    ],
    "donation": [
        "捐赠生活电器", "捐赠米面油", "捐赠冬季御寒物资", "捐赠康复器材", "捐赠图书和学习用品",
        "爱心捐款", "捐赠护理床", "捐赠适老化设施", "捐赠消防器材", "捐赠体育健身器材",
    ],
}  # fmt: skip

ACTIVITY_MATERIALS = {
    "environment": ["cleaning", "plants", "paint", "waterproof", "sewage"],
    "safety": ["extinguisher", "smoke_alarm", "emergency_light", "antislip"],
    "hardship": ["quilt", "down_jacket", "rice", "oil", "cash"],
    "culture": ["calligraphy", "instrument", "sports", "books"],
    "health": ["medicine", "blood_pressure", "glucose_meter", "reading_glasses", "wheelchair"],
    "training": ["textbook"],
    "donation": [
        "fridge", "tv", "sterilizer", "washer", "air_conditioner", "nursing_bed", "wheelchair",
        "rice", "oil", "quilt", "books", "schoolbag", "heater", "water_heater", "cash",
    ],
}  # fmt: skip

# Share of each category's activities that hand over materials.
MATERIAL_SHARE = {
    "environment": 0.35,
    "festival": 0.85,
    "safety": 0.25,
    "hardship": 0.6,
    "culture": 0.15,
    "health": 0.3,
    "training": 0.1,
    "donation": 1.0,
}

# key: (item, unit, (low, high) unit price in yuan, (low, high) quantity)
MATERIALS = {
    "rice": ("大米", "袋", (120, 160), (5, 30)),
    "oil": ("食用油", "桶", (70, 95), (5, 30)),
    "milk": ("牛奶", "箱", (55, 75), (5, 25)),
    "fruit": ("水果", "箱", (60, 120), (5, 20)),
    "mooncake": ("月饼", "盒", (60, 150), (10, 40)),
    "zongzi": ("粽子", "盒", (50, 120), (10, 40)),
    "tangyuan": ("汤圆", "袋", (15, 30), (10, 40)),
    "quilt": ("棉被", "床", (200, 350), (5, 30)),
    "down_jacket": ("羽绒服", "件", (260, 500), (5, 25)),
    "electric_blanket": ("电热毯", "床", (90, 160), (5, 25)),
    "heater": ("取暖器", "台", (200, 450), (2, 15)),
    "cash": ("慰问金", "元", (1, 1), (1000, 10000)),
    "cane": ("助行拐杖", "根", (60, 150), (10, 40)),
    "blood_pressure": ("电子血压计", "台", (150, 300), (2, 10)),
    "glucose_meter": ("血糖仪", "台", (120, 260), (2, 10)),
    "reading_glasses": ("老花镜", "副", (30, 80), (20, 80)),
    "medicine": ("常用药品", "批", (1500, 6000), (1, 2)),
    "wheelchair": ("轮椅", "台", (600, 1500), (2, 10)),
    "nursing_bed": ("多功能护理床", "张", (2200, 4800), (1, 6)),
    "fridge": ("冰箱", "台", (2500, 4000), (1, 4)),
    "tv": ("电视", "台", (2000, 3500), (1, 6)),
    "sterilizer": ("消毒柜", "台", (1200, 2000), (1, 3)),
    "washer": ("洗衣机", "台", (1800, 3200), (1, 4)),
    "air_conditioner": ("空调", "台", (2800, 4500), (1, 4)),
    "water_heater": ("热水器", "台", (1500, 3000), (1, 4)),
    "books": ("图书", "册", (20, 45), (30, 150)),
    "schoolbag": ("书包", "个", (80, 160), (10, 40)),
    "stationery": ("学习用品", "套", (40, 90), (20, 80)),
    "extinguisher": ("灭火器", "具", (80, 150), (10, 40)),
    "smoke_alarm": ("烟感报警器", "个", (60, 120), (10, 50)),
    "emergency_light": ("应急照明灯", "盏", (60, 130), (10, 40)),
    "antislip": ("防滑垫", "块", (30, 80), (20, 80)),
    "cleaning": ("保洁用品", "批", (800, 2500), (1, 2)),
    "plants": ("绿化苗木", "株", (30, 120), (20, 150)),
    "paint": ("环保涂料", "桶", (280, 520), (5, 30)),
    "waterproof": ("防水卷材", "卷", (180, 320), (10, 60)),
    "sewage": ("排污设施改造", "项", (60000, 180000), (1, 1)),
    "calligraphy": ("书画用品", "套", (60, 150), (10, 40)),
    "instrument": ("乐器", "件", (300, 1200), (2, 8)),
    "sports": ("体育健身器材", "套", (1500, 6000), (1, 4)),
    "textbook": ("培训教材", "套", (30, 80), (10, 50)),
}

# Research visits (调研走访): what they look into, with the category that fits.
RESEARCH_TOPICS = [
    ("hardship", "调研机构运行情况"),
    ("hardship", "走访了解入住老人生活需求"),
    ("safety", "调研机构安全管理工作"),
    ("environment", "实地调研院容院貌提升"),
    ("health", "调研医养结合服务开展情况"),
    ("training", "调研护理队伍建设情况"),
    ("hardship", "调研儿童关爱保护工作"),
    ("festival", "节前走访调研"),
    ("hardship", "现场办公解决机构发展难题"),
]
AREA_RESEARCH_TOPICS = [
    ("hardship", "分片区挂联调研“一老一小”工作"),
    ("hardship", "调研留守儿童关爱工作"),
    ("hardship", "调研农村养老服务体系建设"),
    ("safety", "调研村（社区）安全隐患排查"),
    ("health", "调研老年助餐服务开展情况"),
]
# What a township does in its villages (全覆盖走访摸排).
AREA_ACTIVITIES = {
    "hardship": [
        "入户走访高龄独居老人",
        "留守儿童入户家访",
        "困难群众纾困帮扶",
        "“敲门行动”走访摸排",
    ],
    "festival": ["走访慰问困难老人", "关爱留守儿童节日慰问"],
    "health": ["家庭医生上门随访", "村（社区）健康讲座"],
    "safety": ["独居老人居家安全检查", "防范电信诈骗进村入户宣传"],
    "culture": ["村（社区）坝坝舞联欢", "“我们的节日”主题活动"],
}

CONFIRMATION_NOTES = [
    "已收到，感谢帮扶",
    "物资已清点入库",
    "活动已开展，情况属实",
    "已收到，已分发给入住老人",
    "感谢关心，老人们很满意",
    "",
]

# ---------------------------------------------------------------------------------------
# Problems (困难、问题、隐患): (category, subcategory) -> titles, and how they were fixed.
# ---------------------------------------------------------------------------------------

SPOTS = [
    "1号楼",
    "2号楼",
    "3号楼",
    "东侧宿舍",
    "西侧宿舍",
    "食堂",
    "活动室",
    "洗衣房",
    "后院",
    "主楼",
]

PROBLEM_TITLES = {
    ("environment", "waterproofing"): (
        ["{spot}屋顶漏水", "{spot}卫生间渗水", "{spot}外墙渗漏", "{spot}屋面防水层老化"],
        ["重新铺设屋面防水层，雨天检验无渗漏", "更换防水卷材并修补裂缝，已无渗水"],
    ),
    ("environment", "pollution"): (
        ["排污设施老化，污水外溢", "化粪池异味扰民", "厨房油烟排放不达标", "生活污水直排"],
        ["改造排污设施，接入市政管网", "加装油烟净化器，检测达标"],
    ),
    ("environment", "dredging"): (
        ["排水沟淤堵", "院内化粪池需清淤", "雨污管网堵塞", "院外沟渠淤积"],
        ["组织清淤，疏通排水沟渠", "清掏化粪池并疏通管网"],
    ),
    ("environment", "cleaning"): (
        ["{spot}卫生死角清理", "公共区域保洁不到位", "{spot}杂物堆放", "院内垃圾清运不及时"],
        ["组织志愿者大清扫，建立保洁制度", "清运杂物，落实专人保洁"],
    ),
    ("safety", "wiring"): (
        ["{spot}电气线路老化", "{spot}私拉乱接电线", "配电箱老化未上锁", "插座超负荷使用"],
        ["更换老化线路并加装漏电保护器", "规范布线，配电箱加锁并张贴警示"],
    ),
    ("safety", "walls"): (
        ["{spot}墙体开裂", "围墙倾斜开裂", "院坝地面沉降", "{spot}楼梯扶手松动"],
        ["经鉴定后加固墙体并修补裂缝", "拆除重建危险围墙"],
    ),
    ("safety", "fire_lanes"): (
        ["消防通道堵塞", "消防通道被杂物占用", "安全出口指示灯损坏", "{spot}疏散通道不畅"],
        ["清理通道杂物，施划禁停标线", "更换指示灯，组织疏散演练"],
    ),
    ("safety", "food"): (
        ["食堂食品留样不规范", "厨房生熟未分开", "食材采购台账不全", "后厨冷藏设施不足"],
        ["建立留样制度并培训厨师", "规范生熟分区，补齐采购台账"],
    ),
    ("safety", "fraud"): (
        ["老人防骗反诈意识薄弱", "有保健品推销人员进院", "老人接到冒充公检法诈骗电话"],
        ["开展防范电信诈骗宣讲，建立来访登记", "安装国家反诈中心APP，逐一讲解"],
    ),
    ("facilities", ""): (
        ["洗衣机损坏需更换", "冬季取暖设施不足", "{spot}缺少适老化扶手", "康复器材不足",
         "热水器故障", "护理床老旧", "轮椅数量不足", "缺少无障碍坡道", "{spot}照明不足"],
        ["捐赠并安装新设备", "协调资金购置更换", "维修后恢复正常使用"],
    ),
    ("care_skills", ""): (
        ["护理员缺乏失能老人照护技能", "护理人员持证率低", "缺少康复护理知识",
         "儿童心理疏导能力不足", "护理员急救技能欠缺"],
        ["组织护理员参加技能培训并取证", "派驻医护人员现场教学指导"],
    ),
    ("livelihood", ""): (
        ["高龄独居老人生活无人照料", "留守儿童上学交通困难", "困难老人住房漏雨",
         "低保申请材料不全需协助", "老人医保报销需协助办理", "特困老人冬季缺少御寒衣物",
         "残疾老人需申请辅助器具", "老人身份证过期需上门办理", "留守儿童学习用品短缺",
         "独居老人用电安全隐患", "困难家庭儿童学费困难"],
        ["上门协助办理，已落实", "协调村组落实结对照料", "链接社会组织资源解决",
         "纳入临时救助，已发放"],
    ),
    ("health", ""): (
        ["入住老人慢性病用药需定期配送", "机构缺少定期巡诊", "老人需白内障筛查",
         "儿童需康复训练", "失能老人需家庭医生上门随访"],
        ["签约家庭医生定期巡诊", "协调医院开通绿色通道", "组织筛查并安排手术"],
    ),
    ("education", ""): (
        ["留守儿童课业辅导缺人", "残疾儿童随班就读需支持", "福利院儿童入学协调",
         "留守儿童心理健康辅导需求", "儿童缺少课外阅读书籍"],
        ["落实随班就读支持措施", "组织志愿者定期辅导", "协调学校办理入学"],
    ),
    ("other", ""): (
        ["机构用水困难", "进院道路破损", "院内网络信号差", "机构用地手续待办理",
         "院门口缺少公交站点"],
        ["协调相关部门解决", "修缮道路，恢复通行", "协调运营商建设基站"],
    ),
}  # fmt: skip

REOPEN_REASONS = [
    "整改不彻底，仍有问题",
    "雨天复查仍有渗漏",
    "老人反映未解决",
    "整改照片与现场不符",
]

PAIR_ADJUST_REASONS = [
    "部门机构改革，职能调整后重新结对",
    "按照就近就便原则调整帮扶对子",
    "根据机构需求匹配帮扶力量，优化调整",
    "新增金融、通讯等帮扶单位，调整优化帮扶对子",
    "帮扶部门与机构需求不匹配，调整优化",
]
