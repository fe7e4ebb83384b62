"""Demo meetings (issue 8 §5) on top of `alliances.demo.build()`:

- Wenshang's textile committee (汶上县纺织服装产业链党委) meets under its schedule "党委会议" (the
  first working day of each month at 09:00): the six meetings of the last six months with attendance (some on leave, one
  substitute, one absent), minutes per agenda item and decisions owned by a department, an
  enterprise or a person (most done, one overdue); one of them was moved to the next working day;
  one was held but its minutes are missing; the next ones are the schedule's occurrences on the
  first working day of the coming months;
- 红色农机 (兖州区“红色农机”产业链党建联盟): a monthly 红色沙龙 hosted in turn by member enterprises
  (the last one held, the next ones with the rotation's next hosts and invitations answered by
  jindafeng and farm_secretary, wuzheng's still pending so it can be answered on a phone), and the
  fifth 联席会议 with the factor departments attending;
- the food-and-medicine alliance's 企业家下午茶 with the departments its members' needs call for.

The decision that becomes a need is filed by `demands/demo/meetings.py` (demands sits above this app).

Clock: every service runs at the real moment of loading, so nothing is stamped later than it.
Only meetings that ended before that moment are recorded as held (补录: nobody is notified, the
reminders for their past times are not scheduled); the schedules' future occurrences are created
by the occurrence generator, as the daily sweep does. `meeting_move` only moves a meeting that
has not started, so the past meeting that was moved is recorded as it happened: held at its new
time, its original time kept in `moved_from` (version 2), on the series' date, with the audit entry
`meeting_move` leaves. Meetings are titled as the generator titles occurrences ("2026年11月党委会议",
`schedules.occurrence_title`). A committee meeting
in progress while the demo loads (09:00–11:00 of a first working day) is left out.

Idempotent: a schedule or meeting found by its alliance and title is not made again; an invitation
already answered is not answered again.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from chainparty import audit, workdays

from ..models import Invitation, Meeting, MeetingKind, MeetingSchedule, RotatingChair
from . import schedules, services
from .services import DecisionDraft
from .services.common import audit_meeting

A = Invitation.Attendance
COMMITTEE_SCHEDULE_TITLE = "党委会议"
SALON_SCHEDULE_TITLE = "红色沙龙"
JOINT_TITLE = "“红色农机”产业链党建联盟第五次联席会议"
TEA_TITLE = "企业家下午茶：冷链物流与用地融资"
#: The decision that `demands/demo/meetings.py` turns into a need.
NEED_DECISION_TEXT = "新花源纺织扩产缺少熟练挡车工约80名，转为需求，由县人社局对接技工院校订单培养。"
#: Party secretaries of member enterprises without an account, invited by name.
COMMITTEE_GUESTS = ["邱亚夫", "张华城", "王正权"]
#: How many months of committee history, oldest first; which one was moved, which has no minutes.
MONTHS = 6
MOVED, NO_MINUTES = 3, 4


@dataclass(frozen=True)
class Decided:
    """A decision of the demo: `owner` is ("department" | "enterprise" | "user", key in the DemoOrg)."""

    text: str
    owner: tuple[str, str]
    due_workdays: int
    done: bool = False


@dataclass(frozen=True)
class Held:
    """What happened at one demo meeting: agenda with minutes, attendance other than present, decisions."""

    agenda: list[tuple[str, str]]
    summary: str
    away: dict = field(default_factory=dict)
    decisions: list[Decided] = field(default_factory=list)


COMMITTEE = [
    Held(
        agenda=[
            (
                "传达学习上级党委关于产业链党建工作的部署",
                "传达了市委组织部产业链党建推进会精神，明确本季度三项重点任务。",
            ),
            ("研究链上企业秋季用工缺口", "各企业报送普工缺口共约260人，集中在缝制、挡车两个工种。"),
            ("链主企业外发订单对接", "鸿瑞轩服饰介绍四季度外发加工计划，正权、诚信人和两家企业有承接意向。"),
        ],
        summary="会议研究了秋季用工和外发订单对接，形成两项议定事项。",
        away={"王人社": A.LEAVE},
        decisions=[
            Decided(
                "县人社局牵头举办纺织服装产业链专场招聘会，缓解链上企业普工缺口。", ("department", "ws_hr"), 20, True
            ),
            Decided("鸿瑞轩服饰牵头梳理外发加工订单，建立链上订单共享清单。", ("enterprise", "hongruixuan"), 15, True),
        ],
    ),
    Held(
        agenda=[
            ("纺织服装中小企业融资情况通报", "金融服务中心通报：链上中小企业贷款需求约1.2亿元，抵押物不足是主要难点。"),
            ("成员企业党组织建设情况", "好姐妹服饰、锦程休闲服饰尚未建立党组织，需摸清党员底数。"),
            ("下月工作安排", "围绕融资对接和组织覆盖两项工作分工落实。"),
        ],
        summary="会议通报融资情况，部署党组织覆盖工作。",
        away={"张华城": A.LEAVE},
        decisions=[
            Decided(
                "县金融服务中心对接县内银行，推出纺织服装中小企业专属信贷产品。", ("department", "ws_finance"), 20, True
            ),
            Decided(
                "王纺织同志带队走访尚未建立党组织的成员企业，摸清党员底数。", ("user", "textile_secretary"), 10, True
            ),
        ],
    ),
    Held(
        agenda=[
            ("“汶上服饰”区域品牌建设", "与会企业同意以集体商标方式共建区域品牌，由市场监管局指导申报。"),
            ("检测资源共享", "如意纺织检测中心可向链上中小企业开放，检测费用减半。"),
            ("专项资金政策解读", "工信局解读省级技改专项资金申报条件。"),
        ],
        summary="会议研究区域品牌建设和检测资源共享。",
        away={"邱亚夫": A.SUBSTITUTE},
        decisions=[
            Decided("县市场监管局指导链上企业申报“汶上服饰”集体商标。", ("department", "ws_market"), 10),
            Decided(
                "如意纺织向链上中小企业开放纺织品检测中心，检测费用减半。", ("enterprise", "ws_textile_1"), 15, True
            ),
        ],
    ),
    Held(
        agenda=[
            ("技改项目梳理", "链上企业报送技改项目7个，总投资约2.3亿元。"),
            ("质量管理帮带", "华城百灵服饰与好姐妹服饰结对，开展质量管理帮带。"),
            ("“休闲服饰贷”政策宣讲安排", "金融服务中心将在纺织服装产业园集中宣讲。"),
        ],
        summary="因县委全会调整至次日召开。会议梳理技改项目，安排质量帮带和政策宣讲。",
        away={"王人社": A.LEAVE, "王正权": A.ABSENT},
        decisions=[
            Decided("县工信局梳理链上企业技改项目，组织申报省级技改专项资金。", ("department", "ws_iit"), 20, True),
            Decided("华城百灵服饰与好姐妹服饰结对开展质量管理帮带。", ("enterprise", "ws_textile_3"), 15, True),
        ],
    ),
    Held(  # held, attendance recorded, minutes never filed
        agenda=[
            ("四季度生产经营形势分析", ""),
            ("年终党建述职评议准备", ""),
        ],
        summary="",
    ),
    Held(
        agenda=[
            ("新花源纺织扩产用工", "新花源纺织新上两条纺纱生产线，缺少熟练挡车工约80名，需部门协调。"),
            ("研发费用加计扣除政策", "税务局介绍政策要点，链上企业普遍希望上门辅导。"),
            ("下季度红色沙龙筹备", "拟由成员企业轮流承办，周金融同志负责联络。"),
        ],
        summary="会议研究扩产用工、税收政策辅导和红色沙龙筹备，形成三项议定事项。",
        away={"刘海涛": A.LEAVE},
        decisions=[
            Decided(NEED_DECISION_TEXT, ("enterprise", "xinhuayuan"), 30),
            Decided("县税务局为链上企业开展研发费用加计扣除政策上门辅导。", ("department", "ws_tax"), 30),
            Decided("周金融同志牵头筹办下季度红色沙龙，联络承办企业。", ("user", "finance_handler"), 30),
        ],
    ),
]

SALON = Held(
    agenda=[
        ("参观金大丰智能化生产线", "与会企业参观了金大丰玉米收获机总装线。"),
        ("农机配件本地配套交流", "红色农机配件、丰收农业机械介绍可配套的零部件品类。"),
    ],
    summary="红色沙龙由金大丰机械承办，围绕本地配套开展交流。",
    away={"姜山拖": A.SUBSTITUTE},
)

JOINT = Held(
    agenda=[
        ("通报第四次联席会议议定事项落实情况", "第四次联席会议5项议定事项已办结4项，1项用电增容在推进中。"),
        ("金大丰新厂区用电增容", "供电公司表示可在年内完成专线改造。"),
        ("农机企业技工培养", "人社局介绍与济宁技师学院订单培养合作情况。"),
    ],
    summary="各要素保障部门列席，逐项会商企业难题。",
    away={"钱土地": A.SUBSTITUTE},
    decisions=[
        Decided("国网兖州区供电公司完成金大丰新厂区专线增容改造。", ("department", "yz_energy"), 30, True),
        Decided("五征山拖与技师学院对接第二期订单班。", ("enterprise", "wuzheng"), 30),
        Decided("李农机同志跟踪议定事项办理情况，下次联席会议通报。", ("user", "farm_secretary"), 25),
    ],
)

TEA = Held(
    agenda=[
        ("新世纪超市冷链物流配送中心用地与资金", "自然资源局介绍可选地块，工商联介绍商会互助融资渠道。"),
        ("食品企业市场拓展交流", "今麦郎与新世纪超市商定增设本地产品专柜。"),
    ],
    summary="企业家与部门负责人面对面交流，现场答复企业关切。",
    decisions=[
        Decided("区自然资源局提供冷链物流中心备选地块及供地流程。", ("department", "yz_land"), 20),
    ],
)


def load(org, *, stdout=None) -> dict:
    """Load the demo meetings; returns what was found or made, by name."""
    made = {}
    with transaction.atomic():
        made["committee"] = _committee(org)
        made["salon"] = _salon(org)
        made["joint"] = _single(org, "yz_farm", "farm_secretary", JOINT_TITLE, _joint_fields(org), JOINT, 15)
        made["tea"] = _single(org, "yz_food", "food_secretary", TEA_TITLE, _tea_fields(org), TEA, 5)
        schedules.occurrences_generate()  # what the daily sweep does; finds the coming months created
        _answer_upcoming(org)
    if stdout is not None:
        stdout.write(f"示范会议：{Meeting.objects.filter(alliance__in=org.alliances.values()).count()} 次")
    return made


# -- times ---------------------------------------------------------------------------------------
def _series_rule(alliance, **rule) -> MeetingSchedule:
    """An unsaved schedule, to ask the rule for its dates before the schedule is created."""
    return MeetingSchedule(alliance=alliance, **rule)


def _past_dates(rule: MeetingSchedule, count: int) -> list[dt.date]:
    """The rule's last `count` dates whose meeting ended before now, oldest first."""
    now = timezone.now()
    today = timezone.localdate()
    start = today - dt.timedelta(days=31 * (count + 1))
    rule.starts_on = start
    dates = schedules.occurrence_dates(rule, start, today)
    return [day for day in dates if schedules.series_times(rule, day)[1] <= now][-count:]


def _workdays_back(count: int) -> dt.date:
    """The working day `count` working days before today (always a day before today)."""
    day = timezone.localdate()
    while count > 0:
        day -= dt.timedelta(days=1)
        count -= workdays.is_workday(day)
    return day


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


# -- after a meeting -----------------------------------------------------------------------------
def _owner(org, owner) -> dict:
    kind, key = owner
    return {
        "department": {"department": org.departments.get(key)},
        "enterprise": {"enterprise": org.enterprises.get(key)},
        "user": {"user": org.users.get(key)},
    }[kind]


def _record(org, meeting: Meeting, held: Held, *, actor, minutes: bool = True) -> Meeting:
    """Attendance (present unless `held.away` says otherwise), then the minutes and decisions."""
    invitations = list(meeting.invitations.all())
    services.attendance_record(
        actor=actor,
        meeting=meeting,
        attendance={i.pk: held.away.get(i.person_name, A.PRESENT) for i in invitations},
    )
    if not minutes:
        return meeting
    items = {item.position: item.pk for item in meeting.agenda_items.all()}
    meeting = services.meeting_minutes_file(
        actor=actor,
        meeting=meeting,
        minutes={items[n]: text for n, (_title, text) in enumerate(held.agenda, start=1)},
        summary=held.summary,
        decisions=[
            DecisionDraft(text=d.text, due_workdays=d.due_workdays, **_owner(org, d.owner)) for d in held.decisions
        ],
    )
    done = {d.text for d in held.decisions if d.done}
    for decision in meeting.decisions.filter(text__in=done):
        services.decision_update_status(actor=actor, decision=decision, status=decision.Status.DONE)
    return meeting


# -- the textile committee -----------------------------------------------------------------------
def _chair_name(alliance, day: dt.date, default: str) -> str:
    row = RotatingChair.objects.filter(alliance=alliance, year=day.year, quarter=(day.month - 1) // 3 + 1).first()
    return row.person_name if row else default


def _committee(org) -> MeetingSchedule:
    alliance, secretary = org.alliances["ws_textile"], org.users["textile_secretary"]
    existing = MeetingSchedule.objects.filter(alliance=alliance, title=COMMITTEE_SCHEDULE_TITLE).first()
    if existing is not None:
        return existing
    rule = dict(
        kind=MeetingKind.COMMITTEE,
        rule=MeetingSchedule.Rule.NTH_WORKDAY_OF_MONTH,
        ordinal=1,
        start_time=dt.time(9, 0),
        duration_minutes=120,
    )
    dates = _past_dates(_series_rule(alliance, **rule), MONTHS)
    schedule = schedules.schedule_create(
        actor=secretary,
        alliance=alliance,
        title=COMMITTEE_SCHEDULE_TITLE,
        starts_on=dates[0],
        place_zone=org.zones["ws_center"],
        recorder=org.users["finance_handler"],
        **rule,
    )
    for index, (day, held) in enumerate(zip(dates, COMMITTEE[-len(dates) :], strict=True)):
        original = schedules.series_times(schedule, day)
        if index == MOVED:  # moved to the next working day before it was held
            starts_at = _at(_workdays_after(day), 9)
            times = (starts_at, starts_at + (original[1] - original[0]))
        else:
            times = original
        meeting = services.meeting_schedule(
            actor=secretary,
            alliance=alliance,
            kind=schedule.kind,
            title=schedules.occurrence_title(schedule, day),  # as the generator names the coming ones
            starts_at=times[0],
            ends_at=times[1],
            place_zone=schedule.place_zone,
            chair_name=_chair_name(alliance, day, secretary.display_name),
            recorder=schedule.recorder,
            agenda=[title for title, _text in held.agenda],
            chosen_names=COMMITTEE_GUESTS,
            schedule=schedule,
            occurrence_date=day,
        )
        if index == MOVED:
            _record_move(meeting, original[0], actor=secretary)
        _record(org, meeting, held, actor=secretary, minutes=index != NO_MINUTES)
    return schedule


def _record_move(meeting: Meeting, moved_from: dt.datetime, *, actor) -> None:
    """What `meeting_move` would have left, recorded after the fact (it refuses past times): the
    original start kept, the version bumped, and its audit entry."""
    Meeting.objects.filter(pk=meeting.pk).update(moved_from=moved_from, version=2)
    audit_meeting(meeting, audit.Action.MEETING_MOVE, actor=actor, moved_from=moved_from, starts_at=meeting.starts_at)


def _workdays_after(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not workdays.is_workday(day):
        day += dt.timedelta(days=1)
    return day


# -- 红色农机's salon, rotating hosts --------------------------------------------------------------
def _salon(org) -> MeetingSchedule:
    alliance, secretary = org.alliances["yz_farm"], org.users["farm_secretary"]
    existing = MeetingSchedule.objects.filter(alliance=alliance, title=SALON_SCHEDULE_TITLE).first()
    if existing is not None:
        return existing
    rule = dict(
        kind=MeetingKind.SALON,
        rule=MeetingSchedule.Rule.MONTHLY_WEEKDAY,
        ordinal=3,
        weekday=MeetingSchedule.Weekday.THURSDAY,
        start_time=dt.time(15, 0),
        duration_minutes=90,
    )
    (last,) = _past_dates(_series_rule(alliance, **rule), 1)
    # The rotation's last host held the latest salon, so the coming ones start from the top.
    hosts = [org.enterprises[key] for key in ("yz_farm_1", "wuzheng", "jindafeng")]
    schedule = schedules.schedule_create(
        actor=secretary,
        alliance=alliance,
        title=SALON_SCHEDULE_TITLE,
        starts_on=last,
        place_address="承办企业职工之家",
        recorder_name="高红",
        hosts=hosts,  # given at creation: the occurrences it creates at once take their hosts from it
        **rule,
    )
    starts_at, ends_at = schedules.series_times(schedule, last)
    meeting = services.meeting_schedule(
        actor=secretary,
        alliance=alliance,
        kind=schedule.kind,
        title=schedules.occurrence_title(schedule, last),
        starts_at=starts_at,
        ends_at=ends_at,
        place_address="山东金大丰机械有限公司职工之家",
        chair=secretary,
        recorder_name=schedule.recorder_name,
        host_enterprise=hosts[-1],
        agenda=[title for title, _text in SALON.agenda],
        schedule=schedule,
        occurrence_date=last,
    )
    _record(org, meeting, SALON, actor=secretary)
    return schedule


# -- one-off meetings ----------------------------------------------------------------------------
def _joint_fields(org) -> dict:
    d = org.departments
    return {
        "kind": MeetingKind.JOINT,
        "hour": 14,
        "place_zone": org.zones["yz_station"],
        "invited_departments": [d[k] for k in ("yz_hr", "yz_iit", "yz_finance", "yz_land", "yz_energy")],
        "chosen_names": ["周供电"],  # the power company's account manager has no account
    }


def _tea_fields(org) -> dict:
    return {
        "kind": MeetingKind.TEA,
        "hour": 15,
        "place_address": "今麦郎食品（兖州）有限公司职工之家",
        "host_enterprise": org.enterprises["jinmailang"],
        "invited_departments": [org.departments["yz_land"], org.departments["yz_fic"]],
    }


def _single(org, alliance_key, secretary_key, title, fields, held: Held, days_back: int) -> Meeting:
    """A meeting held `days_back` working days ago, with its attendance, minutes and decisions."""
    alliance, secretary = org.alliances[alliance_key], org.users[secretary_key]
    existing = Meeting.objects.filter(alliance=alliance, title=title).first()
    if existing is not None:
        return existing
    fields = dict(fields)
    day, hour = _workdays_back(days_back), fields.pop("hour")
    meeting = services.meeting_schedule(
        actor=secretary,
        alliance=alliance,
        title=title,
        starts_at=_at(day, hour),
        ends_at=_at(day, hour + 2),
        chair=secretary,
        agenda=[t for t, _text in held.agenda],
        **fields,
    )
    return _record(org, meeting, held, actor=secretary)


# -- answers to the coming meetings --------------------------------------------------------------
#: schedule title → (username, answer, substitute or reason); who is not listed has not answered.
ANSWERS = {
    COMMITTEE_SCHEDULE_TITLE: [
        ("textile_secretary", Invitation.Answer.ATTEND, ""),
        ("hongruixuan", Invitation.Answer.SUBSTITUTE, "孔令军"),
        ("finance_handler", Invitation.Answer.LEAVE, "参加省地方金融监管局业务培训"),
    ],
    SALON_SCHEDULE_TITLE: [
        ("farm_secretary", Invitation.Answer.ATTEND, ""),
        ("jindafeng", Invitation.Answer.ATTEND, ""),
        # wuzheng has not answered yet: the demo's invitation to answer on a phone.
    ],
}


def _answer_upcoming(org) -> None:
    now = timezone.now()
    for title, answers in ANSWERS.items():
        upcoming = (
            Meeting.objects.filter(
                schedule__alliance__in=list(org.alliances.values()),
                schedule__title=title,
                state=Meeting.State.SCHEDULED,
                starts_at__gt=now,
            )
            .order_by("starts_at")
            .first()
        )
        if upcoming is None:
            continue
        for username, answer, text in answers:
            user = org.users[username]
            invitation = upcoming.invitations.filter(user=user, answer=Invitation.Answer.PENDING).first()
            if invitation is None:
                continue
            services.invitation_answer(
                actor=user,
                invitation=invitation,
                answer=answer,
                substitute_name=text if answer == Invitation.Answer.SUBSTITUTE else "",
                leave_reason=text if answer == Invitation.Answer.LEAVE else "",
            )
