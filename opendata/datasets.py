"""The catalogue: each dataset's titles, description, data dictionary and published table.

Titles, descriptions and field meanings are written in Korean and English here (not through
gettext): both languages go into every export and the DCAT catalogue, whatever the reader's
language, and the pages show the one the reader reads."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import get_language

from opendata.models import OpenCase, OpenContactDay, OpenPollResult, OpenProposal


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string, integer, decimal, date
    ko: str
    en: str

    def meaning(self, language=None):
        return self.en if (language or get_language() or "ko").startswith("en") else self.ko


@dataclass(frozen=True)
class Spec:
    slug: str
    model: type
    title_ko: str
    title_en: str
    description_ko: str
    description_en: str
    keywords_ko: tuple
    keywords_en: tuple
    fields: tuple = field(default_factory=tuple)

    def title(self, language=None):
        return self.title_en if (language or get_language() or "ko").startswith("en") else self.title_ko

    def description(self, language=None):
        return self.description_en if (language or get_language() or "ko").startswith("en") else self.description_ko

    @property
    def field_names(self):
        return [f.name for f in self.fields]


CASES = Spec(
    slug="cases",
    model=OpenCase,
    title_ko="응답소 민원 처리 현황",
    title_en="Eung-Dap-So cases and their handling",
    description_ko=(
        "응답소에 접수된 민원·제안·질의의 처리 현황입니다. 개인을 알아볼 수 있는 정보는 없습니다. "
        "신고(부패·공익·인권·복지)는 싣지 않으며, 제목과 내용은 시민이 공개를 선택한 경우에만 싣습니다. "
        "자치구·동·분야·날짜가 같은 건이 5건 미만이면 동 대신 자치구, 날짜 대신 주로 묶어서 싣고, "
        "그래도 5건 미만이면 싣지 않습니다. 위치는 약 100 m 단위로 반올림합니다."
    ),
    description_en=(
        "Complaints, proposals and inquiries filed with Eung-Dap-So and how they were handled, without "
        "anything that identifies a person. Reports (corruption, public interest, human rights, welfare) are "
        "left out; title and text only where the citizen chose to publish them. Where fewer than 5 cases "
        "share a district, dong, category and day, the district replaces the dong and the week replaces the "
        "day; rows still rarer are withheld. Positions are rounded to about 100 m."
    ),
    keywords_ko=("민원", "응답소", "서울"),
    keywords_en=("complaints", "311", "Seoul"),
    fields=(
        Field("tracking_number", "string", "접수 번호", "Tracking number"),
        Field(
            "kind",
            "string",
            "종류: 민원(complaint), 제안(proposal), 질의(inquiry)",
            "Kind (complaint, proposal, inquiry)",
        ),
        Field("category", "string", "분야 코드", "Category code"),
        Field("category_name_ko", "string", "분야 (한국어)", "Category (Korean)"),
        Field("category_name_en", "string", "분야 (영어)", "Category (English)"),
        Field("channel", "string", "접수 경로", "Channel of filing"),
        Field("district", "string", "자치구 행정 코드", "District administrative code"),
        Field("district_name_ko", "string", "자치구 (한국어)", "District (Korean)"),
        Field("district_name_en", "string", "자치구 (영어)", "District (English)"),
        Field("dong", "string", "행정동 (묶인 행은 빈칸)", "Administrative dong (blank when coarsened)"),
        Field("department", "string", "처리 부서 코드", "Handling department code"),
        Field("department_name_ko", "string", "처리 부서 (한국어)", "Handling department (Korean)"),
        Field("department_name_en", "string", "처리 부서 (영어)", "Handling department (English)"),
        Field("status", "string", "처리 상태", "Status"),
        Field(
            "filed_date", "date", "접수일 (주 단위로 묶인 행은 빈칸)", "Date filed (blank when coarsened to the week)"
        ),
        Field("filed_week", "date", "접수 주 (월요일)", "Week filed (its Monday)"),
        Field("answered_date", "date", "답변일", "Date answered"),
        Field("closed_date", "date", "종결일", "Date closed"),
        Field("processing_hours", "integer", "접수부터 답변까지 걸린 시간 (시간)", "Hours from filing to answer"),
        Field("rating", "integer", "시민 만족도 (1–5, 최근 답변)", "Citizen's rating (1–5, latest answer)"),
        Field("lat", "decimal", "위도 (약 100 m 단위, 묶인 행은 빈칸)", "Latitude (about 100 m; blank when coarsened)"),
        Field(
            "lon", "decimal", "경도 (약 100 m 단위, 묶인 행은 빈칸)", "Longitude (about 100 m; blank when coarsened)"
        ),
        Field("title", "string", "제목 (시민이 공개한 경우)", "Title (where the citizen published it)"),
        Field("text", "string", "내용 (시민이 공개한 경우)", "Text (where the citizen published it)"),
        Field(
            "precision",
            "string",
            "공개 정밀도: 동·날짜(dong_day), 자치구·날짜(district_day), 자치구·주(district_week)",
            "Precision published: dong_day, district_day, district_week",
        ),
    ),
)

CONTACTS = Spec(
    slug="contacts",
    model=OpenContactDay,
    title_ko="120다산콜 상담 건수",
    title_en="120 Dasan contacts",
    description_ko="120다산콜재단의 상담 건수를 날짜, 상담 경로, 언어, 주제별로 집계했습니다.",
    description_en="Contacts with the 120 Dasan call centre counted by day, channel, language and topic.",
    keywords_ko=("120", "다산콜", "상담"),
    keywords_en=("120", "call centre", "contacts"),
    fields=(
        Field("day", "date", "날짜 (서울 시각)", "Day (Seoul time)"),
        Field("channel", "string", "상담 경로", "Channel"),
        Field("language", "string", "언어 (ISO 639-1)", "Language (ISO 639-1)"),
        Field("topic", "string", "주제 코드", "Topic code"),
        Field("topic_name_ko", "string", "주제 (한국어)", "Topic (Korean)"),
        Field("topic_name_en", "string", "주제 (영어)", "Topic (English)"),
        Field("contacts", "integer", "상담 건수", "Number of contacts"),
    ),
)

POLLS = Spec(
    slug="polls",
    model=OpenPollResult,
    title_ko="엠보팅 투표 결과",
    title_en="mVoting poll results",
    description_ko=(
        "종료된 공개 투표의 선택지별 결과입니다. 자치구 칸(district)이 빈 행은 투표 전체이고, "
        "자치구별 행에서 5표 미만인 칸은 비워 둡니다. 비공개방·QR·직원·명단 투표는 싣지 않습니다."
    ),
    description_en=(
        "Results of closed public polls per option. Rows with a blank district are the whole poll; in rows "
        "per district of the voters, a cell under 5 votes is left blank. Private-room, QR-code, employee and "
        "member-list polls are left out."
    ),
    keywords_ko=("투표", "엠보팅"),
    keywords_en=("polls", "mVoting"),
    fields=(
        Field("poll", "integer", "투표 번호", "Poll number"),
        Field("question", "string", "질문", "Question"),
        Field("department", "string", "담당 부서 코드", "Department code"),
        Field("department_name_ko", "string", "담당 부서 (한국어)", "Department (Korean)"),
        Field("opens_date", "date", "시작일", "Opened on"),
        Field("closes_date", "date", "종료일", "Closed on"),
        Field("option", "string", "선택지", "Option"),
        Field("option_position", "integer", "선택지 순서", "Option position"),
        Field("district", "string", "투표자 자치구 코드 (빈칸은 전체)", "Voters' district code (blank: all)"),
        Field("district_name_ko", "string", "투표자 자치구 (한국어)", "Voters' district (Korean)"),
        Field("votes", "integer", "득표 수 (5 미만은 빈칸)", "Votes (blank under 5)"),
        Field("ballots", "integer", "투표자 수 (5 미만은 빈칸)", "Ballots cast (blank under 5)"),
        Field("percent", "decimal", "득표율 (%)", "Share of ballots (%)"),
    ),
)

PROPOSALS = Spec(
    slug="proposals",
    model=OpenProposal,
    title_ko="천만상상 오아시스 제안과 결정",
    title_en="Oasis proposals and decisions",
    description_ko=(
        "천만상상 오아시스에 공개된 시민 제안, 공감 수, 부서의 결정과 필요 예산입니다. 제안자는 싣지 않습니다."
    ),
    description_en=(
        "Public Oasis proposals with their support, the department's decision and the required budget. "
        "Authors are left out."
    ),
    keywords_ko=("제안", "오아시스", "정책"),
    keywords_en=("proposals", "Oasis", "policy"),
    fields=(
        Field("proposal", "integer", "제안 번호", "Proposal number"),
        Field("title", "string", "제목", "Title"),
        Field("status", "string", "상태", "Status"),
        Field("themed_call", "string", "주제 공모", "Themed call"),
        Field("district", "string", "자치구 코드", "District code"),
        Field("district_name_ko", "string", "자치구 (한국어)", "District (Korean)"),
        Field("department", "string", "담당 부서 코드", "Department code"),
        Field("department_name_ko", "string", "담당 부서 (한국어)", "Department (Korean)"),
        Field("submitted_date", "date", "제출일", "Submitted on"),
        Field("votes", "integer", "공감 수", "Votes of support"),
        Field("outcome", "string", "결정: 채택(adopted), 불채택(rejected)", "Decision (adopted, rejected)"),
        Field("decided_date", "date", "결정일", "Decided on"),
        Field("required_budget", "integer", "필요 예산 (원)", "Required budget (KRW)"),
        Field("decision_summary", "string", "부서 의견", "Opinion of the department"),
    ),
)

SPECS = {spec.slug: spec for spec in (CASES, CONTACTS, POLLS, PROPOSALS)}

LICENSES = {
    "kogl-1": {
        "url": "https://www.kogl.or.kr/info/licenseType1.do",
        "name_ko": "공공누리 제1유형 (출처표시)",
        "name_en": "Korea Open Government License Type 1 (attribution)",
    },
    "cc-by-4.0": {
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "name_ko": "크리에이티브 커먼즈 저작자표시 4.0 국제",
        "name_en": "Creative Commons Attribution 4.0 International",
    },
}


def license_info(language=None) -> dict:
    """The licence chosen in settings (OPENDATA_LICENSE): its URL and its name in the reader's language."""
    info = LICENSES[settings.OPENDATA_LICENSE]
    english = (language or get_language() or "ko").startswith("en")
    return {"code": settings.OPENDATA_LICENSE, "url": info["url"], "name": info["name_en" if english else "name_ko"]}


def get_spec(slug):
    return SPECS.get(slug)
