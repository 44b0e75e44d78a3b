"""Name material for the synthetic Leshan: people, places and organisations.

Everything here is invented to look like the real thing. A few township and institution
names are those of the source article (葫芦镇敬老院, 凌云敬老院, 马边小凉山区域养老中心 ...),
so that the demo tells the article's own stories; the rest is drawn from pools of
characters that Sichuan place names and personal names are commonly made of.
"""

import random

# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------

# Common surnames in Sichuan, with pinyin (for usernames) and a rough weight.
SURNAMES: list[tuple[str, str, int]] = [
    ("李", "li", 80), ("王", "wang", 75), ("张", "zhang", 70), ("刘", "liu", 65),
    ("陈", "chen", 65), ("杨", "yang", 60), ("黄", "huang", 40), ("赵", "zhao", 35),
    ("周", "zhou", 35), ("吴", "wu", 32), ("罗", "luo", 32), ("何", "he", 30),
    ("徐", "xu", 25), ("胡", "hu", 25), ("朱", "zhu", 20), ("高", "gao", 20),
    ("林", "lin", 15), ("郭", "guo", 18), ("马", "ma", 18), ("梁", "liang", 12),
    ("宋", "song", 12), ("郑", "zheng", 14), ("谢", "xie", 16), ("韩", "han", 10),
    ("唐", "tang", 18), ("冯", "feng", 12), ("董", "dong", 10), ("程", "cheng", 10),
    ("曹", "cao", 10), ("袁", "yuan", 14), ("邓", "deng", 16), ("许", "xu", 10),
    ("傅", "fu", 8), ("沈", "shen", 8), ("曾", "zeng", 16), ("彭", "peng", 15),
    ("吕", "lv", 8), ("苏", "su", 10), ("卢", "lu", 8), ("蒋", "jiang", 12),
    ("蔡", "cai", 8), ("贾", "jia", 6), ("丁", "ding", 6), ("魏", "wei", 8),
    ("叶", "ye", 8), ("余", "yu", 14), ("潘", "pan", 6), ("杜", "du", 10),
    ("夏", "xia", 6), ("钟", "zhong", 10), ("汪", "wang", 6), ("田", "tian", 10),
    ("任", "ren", 10), ("姜", "jiang", 5), ("范", "fan", 8), ("方", "fang", 6),
    ("石", "shi", 8), ("姚", "yao", 6), ("谭", "tan", 10), ("廖", "liao", 12),
    ("邹", "zou", 8), ("熊", "xiong", 10), ("金", "jin", 5), ("陆", "lu", 5),
    ("郝", "hao", 4), ("孔", "kong", 4), ("白", "bai", 6), ("崔", "cui", 4),
    ("康", "kang", 5), ("毛", "mao", 6), ("邱", "qiu", 6), ("秦", "qin", 5),
    ("江", "jiang", 6), ("史", "shi", 4), ("侯", "hou", 5), ("龙", "long", 6),
    ("万", "wan", 5), ("段", "duan", 5), ("雷", "lei", 8), ("汤", "tang", 4),
    ("尹", "yin", 4), ("黎", "li", 5), ("易", "yi", 6), ("贺", "he", 4),
    ("赖", "lai", 5), ("龚", "gong", 6), ("文", "wen", 6), ("鲜", "xian", 3),
    ("税", "shui", 2), ("苟", "gou", 4), ("敬", "jing", 2), ("母", "mu", 2),
]  # fmt: skip

GIVEN_MALE: list[tuple[str, str]] = [
    ("建", "jian"), ("国", "guo"), ("华", "hua"), ("明", "ming"), ("军", "jun"),
    ("伟", "wei"), ("强", "qiang"), ("勇", "yong"), ("刚", "gang"), ("平", "ping"),
    ("志", "zhi"), ("文", "wen"), ("斌", "bin"), ("波", "bo"), ("涛", "tao"),
    ("磊", "lei"), ("鹏", "peng"), ("杰", "jie"), ("超", "chao"), ("浩", "hao"),
    ("宇", "yu"), ("俊", "jun"), ("峰", "feng"), ("林", "lin"), ("海", "hai"),
    ("东", "dong"), ("成", "cheng"), ("德", "de"), ("兵", "bing"), ("春", "chun"),
    ("荣", "rong"), ("福", "fu"), ("贵", "gui"), ("良", "liang"), ("光", "guang"),
    ("天", "tian"), ("永", "yong"), ("长", "chang"), ("清", "qing"), ("新", "xin"),
    ("江", "jiang"), ("川", "chuan"), ("松", "song"), ("云", "yun"), ("飞", "fei"),
    ("辉", "hui"), ("晨", "chen"), ("阳", "yang"), ("博", "bo"), ("洪", "hong"),
    ("学", "xue"), ("安", "an"), ("正", "zheng"), ("世", "shi"), ("昌", "chang"),
    ("凯", "kai"), ("毅", "yi"), ("锐", "rui"), ("泽", "ze"), ("宏", "hong"),
]  # fmt: skip

GIVEN_FEMALE: list[tuple[str, str]] = [
    ("丽", "li"), ("芳", "fang"), ("娟", "juan"), ("敏", "min"), ("静", "jing"),
    ("秀", "xiu"), ("英", "ying"), ("玲", "ling"), ("燕", "yan"), ("霞", "xia"),
    ("琴", "qin"), ("梅", "mei"), ("兰", "lan"), ("蓉", "rong"), ("婷", "ting"),
    ("倩", "qian"), ("颖", "ying"), ("雪", "xue"), ("欣", "xin"), ("怡", "yi"),
    ("佳", "jia"), ("莉", "li"), ("萍", "ping"), ("琳", "lin"), ("慧", "hui"),
    ("淑", "shu"), ("凤", "feng"), ("桂", "gui"), ("珍", "zhen"), ("艳", "yan"),
    ("晓", "xiao"), ("雨", "yu"), ("思", "si"), ("悦", "yue"), ("媛", "yuan"),
    ("洁", "jie"), ("丹", "dan"), ("娜", "na"), ("彤", "tong"), ("菊", "ju"),
    ("群", "qun"), ("红", "hong"), ("春", "chun"), ("琼", "qiong"), ("容", "rong"),
]  # fmt: skip

# Yi names (彝族) for the two Yi autonomous counties: clan name + given name.
YI_SURNAMES: list[tuple[str, str]] = [
    ("吉克", "jike"), ("阿苦", "aku"), ("沙马", "shama"), ("俄木", "emu"), ("吉伍", "jiwu"),
    ("马海", "mahai"), ("阿于", "ayu"), ("曲木", "qumu"), ("海来", "hailai"), ("勒格", "lege"),
]  # fmt: skip
YI_GIVEN: list[tuple[str, str]] = [
    ("曲布", "qubu"), ("拉且", "laqie"), ("日火", "rihuo"), ("阿呷", "axia"), ("尔古", "ergu"),
    ("木呷", "muxia"), ("伍牛", "wuniu"), ("石者", "shizhe"), ("子日", "ziri"), ("阿果", "aguo"),
    ("有格", "youge"), ("小芬", "xiaofen"), ("拉哈", "laha"), ("金花", "jinhua"),
]  # fmt: skip
YI_COUNTIES = ("511132", "511133")

_SURNAME_WEIGHTS = [w for _, _, w in SURNAMES]


def person_name(rng: random.Random, county_prefix: str = "") -> tuple[str, str]:
    """A made-up person: (full name, pinyin for a username)."""
    if county_prefix in YI_COUNTIES and rng.random() < 0.3:
        (s, sp), (g, gp) = rng.choice(YI_SURNAMES), rng.choice(YI_GIVEN)
        return s + g, sp + gp
    surname, s_py, _ = rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    pool = GIVEN_MALE if rng.random() < 0.55 else GIVEN_FEMALE
    first = rng.choice(pool)
    if rng.random() < 0.25:
        return surname + first[0], s_py + first[1]
    second = rng.choice(pool)
    while second[0] == first[0]:
        second = rng.choice(pool)
    return surname + first[0] + second[0], s_py + first[1] + second[1]


def mobile(rng: random.Random) -> str:
    prefix = rng.choice(
        ["133", "135", "136", "138", "139", "150", "158", "180", "181", "189", "199"]
    )
    return prefix + "".join(rng.choice("0123456789") for _ in range(8))


def office_phone(rng: random.Random) -> str:
    """Leshan's area code is 0833."""
    return f"0833-{rng.randint(2, 5)}{rng.randint(0, 999999):06d}"


# ---------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------

# Short names of the counties, as they appear inside other names ("犍为县民政局").
COUNTY_SHORT = {
    "511102": "市中区",
    "511111": "沙湾区",
    "511112": "五通桥区",
    "511113": "金口河区",
    "511123": "犍为县",
    "511124": "井研县",
    "511126": "夹江县",
    "511129": "沐川县",
    "511132": "峨边彝族自治县",
    "511133": "马边彝族自治县",
    "511171": "乐山高新区",
    "511181": "峨眉山市",
}
# Shorter still, for institution names ("峨边新林镇养老院").
COUNTY_TINY = {
    "511102": "市中",
    "511111": "沙湾",
    "511112": "五通桥",
    "511113": "金口河",
    "511123": "犍为",
    "511124": "井研",
    "511126": "夹江",
    "511129": "沐川",
    "511132": "峨边",
    "511133": "马边",
    "511171": "高新",
    "511181": "峨眉",
}

# Approximate centre of each county (latitude, longitude), inside Leshan's bounding box.
COUNTY_CENTRE = {
    "511102": (29.56, 103.74),
    "511111": (29.41, 103.55),
    "511112": (29.40, 103.82),
    "511113": (29.25, 103.08),
    "511123": (29.21, 103.95),
    "511124": (29.65, 104.07),
    "511126": (29.74, 103.57),
    "511129": (28.96, 103.90),
    "511132": (29.23, 103.26),
    "511133": (28.84, 103.55),
    "511171": (29.62, 103.70),
    "511181": (29.60, 103.48),
}

# At scale 1: (townships, of which streets (街道), of which 乡 rather than 镇).
TOWNSHIP_COUNTS = {
    "511102": (16, 6, 0),
    "511111": (9, 1, 1),
    "511112": (10, 1, 1),
    "511113": (8, 1, 3),
    "511123": (15, 1, 2),
    "511124": (12, 1, 1),
    "511126": (13, 1, 2),
    "511129": (11, 1, 2),
    "511132": (12, 1, 5),
    "511133": (12, 1, 5),
    "511171": (8, 3, 0),
    "511181": (16, 3, 2),
}

# Township names to use first in each county (the article's places among them).
KNOWN_TOWNSHIPS = {
    "511102": ["凌云", "通江", "张公桥", "泊水", "上河", "肖坝", "牟子", "茅桥", "水口", "棉竹",
               "九峰", "安谷", "苏稽", "白马", "剑峰", "平兴"],
    "511111": ["嘉农", "葫芦", "太平", "福禄", "踏水", "牛石", "轸溪", "谭坝", "铜茨"],
    "511112": ["竹根", "牛华", "金粟", "石麟", "冠英", "西坝", "杨柳", "桥沟", "蔡金", "辉山"],
    "511113": ["永和", "金河", "和平", "共安", "吉星", "永胜", "毛坪沟", "大瓦山"],
    "511123": ["玉津", "孝姑", "石溪", "清溪", "罗城", "芭沟", "铁山", "寿保", "新民", "舞雩",
               "龙孔", "敖家", "九井", "岷东", "南阳"],
    "511124": ["研城", "马踏", "竹园", "研经", "周坡", "千佛", "王村", "三江", "东林", "宝五",
               "集益", "纯复"],
    "511126": ["漹城", "黄土", "甘江", "界牌", "木城", "华头", "中兴", "青州", "马村", "吴场",
               "三洞", "新场", "歇马"],
    "511129": ["沐溪", "永福", "大楠", "箭板", "舟坝", "黄丹", "利店", "富和", "底堡", "炭库",
               "幸福"],
    "511132": ["沙坪", "大堡", "毛坪", "五渡", "新林", "黑竹沟", "勒乌", "金岩", "宜坪", "杨河",
               "哈曲", "觉莫"],
    "511133": ["民建", "荣丁", "下溪", "苏坝", "劳动", "建设", "高卓营", "雪口山", "烟峰", "永红",
               "大竹堡", "三河口"],
    "511171": ["迎宾", "临江", "车子", "悦来", "青江", "建业", "关庙", "水口湾"],
    "511181": ["绥山", "胜利", "峨山", "高桥", "罗目", "九里", "龙池", "乐都", "符溪", "双福",
               "桂花桥", "大为", "黄湾", "川主", "沙溪", "龙门"],
}  # fmt: skip

# Characters place names are made of, for everything beyond the known names.
PLACE_FIRST = list(
    "新清石龙金玉白青马黄高太永兴福安宝罗观凤三双苏临杨嘉铜茶蔡东西南峨甘华定乐平长顺和"
    "集万红柏桂杉竹梨桃李花松柳沙碧翠瑞吉庆丰盛富裕仁义礼忠孝德文武明光天云星月"
)
PLACE_SECOND = list("溪江河坝场山桥口林湾池峰岩田滩寺庙关坪坎沱津塘水井岭岗沟坡湖源庄堡营垭")
VILLAGE_SECOND = list("溪坝山桥林湾池峰岩田滩坪坎沱塘水井岭岗沟坡湖源庄堡营垭坳冲院林园家")
COMMUNITY_SECOND = list("苑园街坊门桥湾路庭城岸华景林")


def place_name(rng: random.Random, second=PLACE_SECOND) -> str:
    return rng.choice(PLACE_FIRST) + rng.choice(second)


ROADS = [
    "嘉定北路", "嘉定中路", "柏杨中路", "柏杨东路", "凤凰路", "海棠路", "滨江路", "人民南路",
    "白燕路", "肖坝路", "龙游路", "箐华路", "春华路", "东大街", "县街", "迎春路", "育贤街",
    "府街", "新村路", "金山路", "复兴路", "建设路", "文化路", "正街", "幸福路", "康乐路",
]  # fmt: skip

# ---------------------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------------------

# City departments (市级部门), real-looking names of a prefecture-level city's departments
# and units. The first 114 are the departments of 2021; more are used at larger scales.
CITY_DEPARTMENTS = [
    "市委办公室", "市人大常委会办公室", "市政府办公室", "市政协办公室", "市纪委监委机关",
    "市委组织部", "市委宣传部", "市委统战部", "市委政法委", "市委政研室",
    "市委网信办", "市委编办", "市委党史和地方志研究室", "市委党校", "市直机关工委",
    "市委老干部局", "市委巡察办", "市委社会工作部", "市委外办", "市委机要保密局",
    "市发展改革委", "市经济和信息化局", "市教育局", "市科技局", "市民族宗教局",
    "市公安局", "市民政局", "市司法局", "市财政局", "市人力资源社会保障局",
    "市自然资源和规划局", "市生态环境局", "市住房城乡建设局", "市交通运输局", "市水务局",
    "市农业农村局", "市商务局", "市文化广播电视和旅游局", "市卫生健康委", "市退役军人事务局",
    "市应急管理局", "市审计局", "市国资委", "市市场监管局", "市体育局",
    "市统计局", "市医保局", "市林业局", "市乡村振兴局", "市信访局",
    "市机关事务服务中心", "市投资促进局", "市大数据中心", "市政务服务和公共资源交易服务中心",
    "市综合行政执法局", "市金融工作局", "市人防办", "市数据局", "市总工会", "团市委",
    "市妇联", "市科协", "市文联", "市残联", "市关心下一代工作委员会",
    "市红十字会", "市工商联", "市侨联", "市社科联", "市供销社",
    "市中级人民法院", "市人民检察院", "市人民医院", "市中医医院", "市第二人民医院",
    "市妇幼保健院", "市疾控中心", "乐山职业技术学院", "乐山师范学院", "乐山广播电视台",
    "乐山日报社", "市气象局", "国家税务总局乐山市税务局", "市烟草专卖局", "市邮政管理局",
    "乐山海关", "国家统计局乐山调查队", "乐山金融监管分局", "人民银行乐山中心支行",
    "乐山军分区政治工作处", "市消防救援支队", "市公路事务中心", "乐山水文中心",
    "市不动产登记中心", "市住房公积金管理中心", "市社会保险事业管理局", "市档案馆",
    "市图书馆", "市文化馆", "乐山大佛景区管委会", "峨眉山景区管委会", "市农业科学研究院",
    "市防震减灾中心", "市检验检测中心", "市教育科学研究所", "市老年大学", "市台办",
    "市国防动员办公室", "市政府研究室", "市经济研究中心", "市中心血站", "市精神卫生中心",
    "市急救指挥中心", "市第三人民医院", "市老干部活动中心", "市就业服务中心",
    "市残疾人康复中心", "市园林绿化服务中心", "市水利工程管理中心", "市城乡规划设计研究院",
    "市职业病防治院", "市动物疫病预防控制中心",
]  # fmt: skip

# Enterprises (企业) that joined as city-level helpers: banks, telecoms, insurers.
# (brand, city branch, county branch)
ENTERPRISES: list[tuple[str, str, str, str]] = [
    ("bank", "邮政储蓄银行", "乐山分行", "支行"),
    ("bank", "中国工商银行", "乐山分行", "支行"),
    ("bank", "中国农业银行", "乐山分行", "支行"),
    ("bank", "中国银行", "乐山分行", "支行"),
    ("bank", "中国建设银行", "乐山分行", "支行"),
    ("bank", "四川银行", "乐山分行", "支行"),
    ("bank", "乐山农商银行", "营业部", "支行"),
    ("telecom", "中国移动", "乐山分公司", "分公司"),
    ("telecom", "中国电信", "乐山分公司", "分公司"),
    ("telecom", "中国联通", "乐山分公司", "分公司"),
    ("telecom", "中国广电", "乐山分公司", "分公司"),
    ("insurer", "人保财险", "乐山分公司", "支公司"),
    ("insurer", "中国人寿", "乐山分公司", "支公司"),
    ("insurer", "平安产险", "乐山中心支公司", "支公司"),
    ("insurer", "太平洋产险", "乐山中心支公司", "支公司"),
    ("other", "国网", "乐山供电公司", "供电分公司"),
]

# County departments (县级部门); the first ones are those problems are handed to.
COUNTY_DEPARTMENTS = [
    "民政局", "教育局", "卫生健康局", "残联", "委办公室", "人大常委会办公室",
    "政府办公室", "政协办公室", "委组织部", "委宣传部", "委统战部", "委政法委",
    "公安局", "财政局", "人力资源和社会保障局", "住房和城乡建设局", "交通运输局",
    "农业农村局", "水务局", "市场监督管理局", "应急管理局", "退役军人事务局",
    "文化广播电视和旅游局", "医疗保障局", "司法局", "自然资源局", "生态环境局",
    "经济和信息化局", "发展和改革局", "审计局", "统计局", "总工会", "团委", "妇联",
    "科协", "人民法院", "人民检察院", "人民医院", "中医医院", "疾病预防控制中心",
]  # fmt: skip

# The article's institutions, placed where the article puts them:
# (county prefix, township, name, type, operator)
KNOWN_INSTITUTIONS = [
    ("511102", "凌云", "凌云敬老院", "rural_home", "public"),
    ("511102", "通江", "乐山市儿童福利院", "children_home", "public"),
    ("511102", "肖坝", "乐山市社会福利院", "welfare_home", "public"),
    ("511102", "上河", "乐山市未成年人救助保护中心", "minor_protection", "public"),
    ("511111", "葫芦", "葫芦镇敬老院", "rural_home", "public"),
    ("511112", "竹根", "五通桥区福利院", "welfare_home", "public"),
    ("511123", "清溪", "犍为县清溪镇敬老院", "rural_home", "public"),
    ("511123", "岷东", "犍为县岷东敬老院", "rural_home", "public"),
    ("511126", "甘江", "夹江甘江养老院", "elderly_home", "public"),
    ("511129", "箭板", "沐川县箭板镇敬老院", "rural_home", "public"),
    ("511132", "新林", "峨边新林镇养老院", "elderly_home", "public"),
    ("511133", "民建", "马边小凉山区域养老中心", "regional_centre", "public"),
]

# Institutions per county at scale 1 (104 in all) and the types beyond the known ones.
INSTITUTION_COUNTS = {
    "511102": 18,
    "511111": 7,
    "511112": 8,
    "511113": 5,
    "511123": 13,
    "511124": 9,
    "511126": 9,
    "511129": 8,
    "511132": 6,
    "511133": 7,
    "511171": 4,
    "511181": 10,
}
# Type mix of the generated institutions (the rest of the 104).
INSTITUTION_TYPE_WEIGHTS = {
    "rural_home": 52,
    "elderly_home": 22,
    "welfare_home": 6,
    "children_home": 5,
    "regional_centre": 10,
    "minor_protection": 5,
}
PRIVATE_HOME_WORDS = [
    "康乐", "福寿", "颐和", "夕阳红", "常青", "安康", "怡心", "松鹤", "金秋", "祥和",
    "百福", "长乐", "晚晴", "乐龄", "康宁", "仁和", "颐养", "福缘", "天伦", "益寿",
]  # fmt: skip

# Social organisations (社会组织) of the "嘉里有爱" campaign.
KNOWN_SOCIAL_ORGANISATIONS = [
    "乐山市嘉州志愿者协会", "乐山市旅居康养产业协会", "乐山市电力行业协会",
    "乐山市慈善总会", "乐山市养老服务业协会", "乐山市家政服务业协会",
    "乐山市青年志愿者协会", "乐山市义工联合会", "乐山市老年体育协会",
    "乐山市书法家协会", "乐山市摄影家协会", "乐山市医师协会", "乐山市律师协会",
    "乐山市心理咨询师协会", "乐山市餐饮行业协会",
]  # fmt: skip
SOCIAL_WORDS = [
    "嘉州", "乐善", "阳光", "同心", "暖阳", "心连心", "爱心", "夕阳红", "益民", "和美",
    "善德", "明德", "惠民", "乐和", "仁爱", "春晖", "彩虹", "向日葵", "红叶", "绿洲",
    "大佛", "三江", "海棠", "凤凰", "青衣", "沫若", "东坡", "乐康", "颐养", "安康",
    "福寿", "童心", "启明", "博爱", "慈航", "嘉禾", "晨曦", "微光", "馨园", "乐童",
]  # fmt: skip
SOCIAL_TYPES = [
    "社会工作服务中心", "志愿者协会", "志愿服务协会", "公益服务中心", "慈善会",
    "养老服务协会", "社区服务中心", "关爱协会", "青少年事务服务中心", "助老服务中心",
    "义工联合会", "家庭服务中心", "心理咨询服务中心", "公益发展中心",
]  # fmt: skip

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 35 -> 三十五, 204 -> 二百零四 (for numbered party branches)."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    head = _DIGITS[n // 100] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + _DIGITS[rest]
    return head + (chinese_number(rest) if rest >= 20 else "一" + chinese_number(rest))


def branch_name(department: str, copy: int) -> str:
    """Beyond scale 1, a department's further helper units are its party branches
    (机关第二党支部 ...): real-looking and unique."""
    return f"{department}机关第{chinese_number(copy)}党支部"
