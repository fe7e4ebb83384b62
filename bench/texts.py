"""Template texts for the bench dataset: a few per category, filled with a chain's products.

Matching tokens are computed once per distinct text (with the services' own tokeniser) and reused.
"""

# (chain, products): enterprises' industry is the chain; products fill the templates.
CHAINS = [
    ("纺织服装", ["休闲服饰", "服装面料", "棉纺纱线", "印染布"]),
    ("高端装备", ["数控机床", "液压元件", "传动部件", "工程机械"]),
    ("农机装备", ["玉米收获机", "大马力拖拉机", "植保无人机", "农机配件"]),
    ("绿色化工", ["精细化学品", "水性涂料", "化工中间体", "环保助剂"]),
    ("食品医药", ["速冻食品", "中药饮片", "保健食品", "医用耗材"]),
    ("新能源", ["光伏组件", "储能电池", "风电叶片", "充电桩"]),
    ("新材料", ["碳纤维", "特种钢材", "高分子材料", "复合板材"]),
    ("电子信息", ["电子元器件", "印制电路板", "智能终端", "传感器"]),
    ("现代物流", ["冷链仓储", "城乡配送", "多式联运", "供应链服务"]),
    ("商贸流通", ["连锁超市", "农产品批发", "直播电商", "商超配送"]),
]

BRAND_SYLLABLES = "金鑫华泰恒瑞宏达丰源盛隆博创新远嘉德信通"

# Need category -> [(title, description)]; {product} and {n} are filled in.
NEED_TEMPLATES = {
    "labor": [
        (
            "急需{product}熟练技工{n}名",
            "{product}生产线扩产，缺少熟练操作工和技术工人约{n}人，希望对接职业院校开展订单式培训并组织专场招聘。",
        ),
        (
            "{product}车间一线工人招工难",
            "旺季订单集中，{product}车间一线工人缺口{n}人，流失率高，希望人社部门协助招聘并落实稳岗补贴。",
        ),
    ],
    "financing": [
        (
            "{product}扩产流动资金缺口{n}万元",
            "原材料价格上涨，{product}订单增加但流动资金紧张，需融资{n}万元，希望对接银行信贷产品和政府性融资担保。",
        ),
        (
            "{product}技改项目贷款",
            "{product}技术改造项目总投资较大，尚缺中长期贷款{n}万元，希望协调贴息贷款和供应链金融支持。",
        ),
    ],
    "land": [
        (
            "新上{product}项目用地{n}亩",
            "计划新建{product}生产车间和仓库，需要工业用地约{n}亩，希望协调用地指标、规划许可和不动产登记。",
        ),
        (
            "{product}厂区扩建用地手续",
            "现有厂区已饱和，{product}扩建项目需毗邻地块{n}亩，希望自然资源部门指导办理用地预审。",
        ),
    ],
    "technology": [
        (
            "{product}生产线智能化技改",
            "计划对{product}生产线实施智能化改造，需要自动化设备、工业软件和数字化车间方面的技术支持，希望对接高校院所。",
        ),
        (
            "{product}关键工艺技术攻关",
            "{product}关键工艺良品率偏低，希望对接科研院所和链上龙头企业开展联合攻关，解决检测和工艺难题。",
        ),
    ],
    "market": [
        (
            "{product}订单产能不足急需协作",
            "承接{product}大额订单{n}台（件），自有产能不足，希望链上企业协作生产、外协加工，按期交付。",
        ),
        (
            "{product}产品拓展销售渠道",
            "{product}新产品上市，希望对接链主企业采购和展会资源，拓展省内外销售渠道和出口订单。",
        ),
    ],
    "logistics": [
        (
            "{product}冷链运输和仓储需求",
            "{product}运输需要冷链车辆和周转仓库，现有物流成本高，希望对接物流园区和城乡配送资源。",
        ),
        ("{product}原料运输通行协调", "{product}原料进厂运输受限行影响，希望交通部门协调货车通行和多式联运方案。"),
    ],
    "policy": [
        (
            "咨询{product}研发费用加计扣除政策",
            "企业{product}研发投入逐年增加，希望了解研发费用加计扣除、高新技术企业认定等税收优惠政策。",
        ),
        (
            "{product}企业稳岗补贴政策咨询",
            "希望了解{product}企业稳岗返还、技能提升补贴和社保缓缴等惠企政策的申报条件和流程。",
        ),
    ],
    "approval": [
        (
            "{product}项目环评和施工许可加快办理",
            "{product}新建项目已完成备案，环评批复和施工许可办理进度慢，希望行政审批部门提供帮办代办。",
        ),
        ("{product}生产许可证延续办理", "{product}生产许可证即将到期，希望指导准备延续材料并加快现场核查。"),
    ],
    "safety": [
        (
            "{product}生产废水处理达标改造",
            "{product}生产废水排放指标需提标，希望生态环境部门指导治理工艺并对接环保设备和技术服务商。",
        ),
        ("{product}车间安全生产隐患整改", "{product}车间存在粉尘和消防隐患，希望安全专家上门诊断并指导整改。"),
    ],
    "other": [
        (
            "{product}企业党建阵地建设指导",
            "企业党支部新成立，希望指导{product}企业党建阵地建设、党员发展和主题党日活动组织。",
        ),
        ("{product}企业职工子女入学协调", "{product}企业引进的技术骨干子女入学存在困难，希望协调教育部门解决。"),
    ],
}

QUANTITIES = [20, 30, 50, 80, 100, 200, 300, 500, 1000, 2000]

# Resource category -> [(title, description, quantity)].
RESOURCE_TEMPLATES = {
    "capacity": [
        (
            "{product}闲置产能外协加工",
            "我公司{product}生产线有富余产能，可承接链上企业外协加工订单，交期稳定、质量可靠。",
            "{n}台/月",
        ),
        ("{product}代工生产", "可为链上企业提供{product}代工生产，具备完整的质检体系和批量交付能力。", "{n}件/月"),
    ],
    "equipment": [
        (
            "{product}检测设备共享",
            "公司{product}检测实验室设备对链上企业开放共享，可提供材料检测和出厂检验服务。",
            "{n}台套",
        ),
        ("{product}生产设备租赁", "闲置{product}生产设备可短期租赁，提供安装调试和操作培训。", "{n}台"),
    ],
    "technology": [
        ("{product}智能制造技术服务", "提供{product}生产线自动化改造、工业软件和数字化车间整体解决方案。", ""),
        ("{product}工艺技术转让", "拥有{product}关键工艺专利，可转让或许可使用，并派工程师驻厂指导。", ""),
    ],
    "training": [
        (
            "{product}技能人才订单式培训",
            "联合职业院校开展{product}操作工、技术员订单式培训，结业即可上岗。",
            "{n}人/期",
        ),
        ("{product}岗位实训基地", "公司{product}实训基地可接收链上企业员工跟岗实训。", "{n}人/期"),
    ],
    "space": [
        ("标准化厂房出租", "园区{product}标准化厂房对外出租，水电气配套齐全，可拎包入驻。", "{n}平方米"),
        ("仓储场地共享", "公司闲置仓储场地可供{product}企业临时周转使用。", "{n}平方米"),
    ],
    "logistics": [
        (
            "{product}冷链物流配送服务",
            "拥有冷链车辆和周转仓库，可为{product}企业提供城乡配送和冷链运输服务。",
            "{n}车次/月",
        ),
        ("{product}多式联运服务", "提供{product}货物公铁联运、集装箱运输和报关一体化服务。", "{n}标箱/月"),
    ],
    "order": [
        ("采购{product}配套产品", "链主企业长期采购{product}配套产品，欢迎链上企业报价对接。", "{n}件/年"),
        ("{product}订单分包", "承接的{product}大额订单拟分包给链上企业协作生产。", "{n}台"),
    ],
    "funding": [
        (
            "{product}产业链供应链金融产品",
            "面向{product}产业链上下游企业的供应链金融产品，凭订单和应收账款融资，放款快。",
            "{n}万元",
        ),
        ("{product}企业信用贷款", "为{product}中小企业提供纯信用贷款，利率优惠，随借随还。", "{n}万元"),
    ],
    "other": [
        ("{product}行业展会对接", "组织{product}企业参加行业展会和产销对接会，提供展位补贴。", ""),
        ("{product}企业管理咨询", "为{product}企业提供精益管理、质量管理体系认证咨询服务。", ""),
    ],
}

# Policy category -> [(title, summary)]; {chain} and {product} are filled in.
POLICY_TEMPLATES = {
    "talent": [
        (
            "{chain}产业技能人才引育补贴实施办法",
            "对{chain}企业新引进的高技能人才给予安家补贴，对开展{product}订单式培训的企业按培训人数给予补助。",
        ),
        (
            "{chain}企业稳岗扩岗专项支持措施",
            "{chain}企业吸纳高校毕业生和技能人才就业的，按人数给予一次性扩岗补助和社保补贴。",
        ),
    ],
    "finance": [
        (
            "{chain}中小企业专项贷款（{product}贷）",
            "面向{chain}中小企业推出{product}贷，单户授信最高5000万元，政府性融资担保机构提供担保并给予贴息。",
        ),
        (
            "{chain}产业链供应链金融支持办法",
            "支持银行机构围绕{chain}链主企业开展应收账款、订单融资，对{product}企业给予贷款贴息。",
        ),
    ],
    "land": [
        (
            "{chain}重点项目用地保障措施",
            "对{chain}重点项目优先安排用地指标，支持{product}企业利用存量厂房改扩建，容积率提高不增收土地价款。",
        ),
    ],
    "technology": [
        (
            "{chain}企业技术改造奖补办法",
            "对{chain}企业实施智能化技术改造、购置{product}生产设备的，按设备投资额给予奖补。",
        ),
        (
            "{chain}研发创新平台建设支持政策",
            "支持{chain}企业建设研发中心和中试基地，对{product}关键技术攻关项目给予资金支持。",
        ),
    ],
    "market": [
        ("{chain}企业开拓市场支持措施", "对{chain}企业参加境内外展会、开展{product}品牌宣传给予展位费和推广费补贴。"),
    ],
    "logistics": [
        ("{chain}物流降本增效若干措施", "对{chain}企业{product}货物多式联运和冷链物流给予运费补贴，优化货车通行管理。"),
    ],
    "tax": [
        (
            "{chain}企业税费优惠政策汇编",
            "汇总研发费用加计扣除、高新技术企业所得税优惠、增值税留抵退税等适用于{chain}{product}企业的税费政策。",
        ),
    ],
    "approval": [
        (
            "{chain}项目审批帮办代办服务办法",
            "为{chain}重点项目提供全程帮办代办，{product}项目环评、施工许可并联审批，压缩办理时限。",
        ),
    ],
    "environment": [
        (
            "{chain}企业环保治理提升专项资金",
            "支持{chain}企业实施废水废气治理和清洁生产改造，对{product}企业环保设备投资给予补助。",
        ),
    ],
    "industry": [
        (
            "{chain}产业高质量发展若干政策",
            "围绕{chain}产业链招引链主和配套企业，对{product}企业产值增长、规上培育给予奖励。",
        ),
    ],
    "other": [
        ("{chain}企业党建工作经费补助办法", "对{chain}非公企业党组织开展党建活动、建设党群服务阵地给予工作经费补助。"),
    ],
}

ANSWERS = {
    "labor": "已组织专场招聘会并对接技师学院订单式培训，企业已招用技术工人。",
    "financing": "已对接合作银行完成授信审批，资金已发放到位。",
    "land": "已协调用地指标并完成规划许可和供地手续。",
    "technology": "已对接高校院所和设备供应商，技改方案已确定并启动实施。",
    "market": "已组织链上企业协作生产，订单按期交付。",
    "logistics": "已对接物流园区冷链资源，运输成本明显下降。",
    "policy": "已上门解读相关政策并指导企业完成申报。",
    "approval": "已开通绿色通道帮办代办，审批手续已办结。",
    "safety": "已组织专家上门诊断，整改方案已落实到位。",
    "other": "已协调相关部门，问题已解决。",
}

# Department types of every county: (name suffix, factor group). Order matters: see DISPATCH.
DEPARTMENT_TYPES = [
    ("人力资源和社会保障局", "talent"),
    ("发展和改革局", "policy"),
    ("工业和信息化局", "policy"),
    ("地方金融服务中心", "finance"),
    ("财政局", "fund"),
    ("自然资源和规划局", "land"),
    ("生态环境分局", "environment"),
    ("供电公司", "energy"),
    ("税务局", "policy"),
    ("市场监督管理局", "other"),
    ("商务局", "other"),
    ("交通运输局", "other"),
    ("科学技术局", "policy"),
    ("行政审批服务局", "other"),
    ("工商业联合会", "other"),
]

# Need category -> (lead department type index, co-handling candidates).
DISPATCH = {
    "labor": (0, [4, 14]),
    "financing": (3, [4, 1]),
    "land": (5, [1, 13]),
    "technology": (2, [12, 1]),
    "market": (10, [2, 14]),
    "logistics": (11, [10, 1]),
    "policy": (1, [8, 0]),
    "approval": (13, [5, 6]),
    "safety": (6, [9, 0]),
    "other": (14, [1, 0]),
}

# Factor departments every alliance has as members (indexes into DEPARTMENT_TYPES).
FACTOR_MEMBERS = [0, 1, 2, 3, 5]

# -- meetings ---------------------------------------------------------------------------------------
# Meeting kind -> title template ({alliance} is the alliance's name).
MEETING_TITLES = {
    "committee": "{alliance}{month}月党委会议",
    "joint": "{alliance}要素保障联席会议",
    "salon": "{alliance}红色沙龙",
    "tea": "{alliance}企业家下午茶",
    "consultation": "{alliance}专题协商会",
    "party_day": "{alliance}主题党日活动",
    "micro_lecture": "{alliance}微党课",
    "training": "{alliance}业务培训",
    "other": "{alliance}工作调度会",
}
MEETING_KIND_WEIGHTS = {
    "committee": 40,
    "joint": 15,
    "salon": 10,
    "tea": 10,
    "consultation": 8,
    "party_day": 8,
    "micro_lecture": 4,
    "training": 3,
    "other": 2,
}
AGENDA_TITLES = [
    "通报上月需求办理情况",
    "研究{product}企业用工缺口问题",
    "会商{product}项目用地报批难题",
    "协调{product}企业融资需求",
    "部署下月产业链党建重点工作",
    "听取链主企业生产经营情况汇报",
    "研究上下游企业配套协作事项",
    "学习传达上级会议精神",
]
AGENDA_MINUTES = (
    "与会人员围绕议题逐一发言，要素保障部门现场答复企业关切，明确责任单位和办理时限，"
    "会议要求各成员单位按照分工抓好落实，书记作总结讲话。"
)
MEETING_SUMMARY = (
    "会议听取了链上企业诉求汇报，{n}家要素保障部门现场会商，形成议定事项{d}项，明确责任单位和办结时限，"
    "由联盟秘书处跟踪督办。"
)
DECISION_TEXTS = [
    "协调{product}企业招聘技术工人{n}名，组织专场招聘会",
    "为{product}项目办理用地预审手续，加快报批进度",
    "对接银行为{product}企业提供信用贷款{n}万元",
    "组织{product}上下游企业开展产销对接",
    "落实{product}企业技改项目奖补政策",
    "协调供电部门为{product}企业新增变压器容量",
]
LEAVE_REASONS = ["外出学习", "出差", "参加县里另一会议", "身体不适"]
REMINDER_TITLES = {
    "meeting_reminder:1d@16:00": "会议提醒：{title}",
    "meeting_reminder:2h": "会议提醒：{title}",
    "meeting_minutes:3": "纪要未归档：{title}",
    "decision_due:before": "议定事项即将到期：{title}",
}
