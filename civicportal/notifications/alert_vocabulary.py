"""Words of an emergency alert in each of its six languages (Korean and the five foreign
languages of the 120 line): event names, district names, the area and the sender.

CAP 1.2 wants every ``<info>`` block in one language, ``event`` and ``areaDesc`` included.
Korean and English names of the districts come from the District table; the Chinese and
Japanese names are the districts' Hanja names in each script, the Vietnamese ones are
"Quận" and the romanised name, and the Mongolian ones are transliterations into Cyrillic
with "дүүрэг". A district missing here falls back to its English name."""

LANGUAGES = ("ko", "en", "zh", "ja", "vi", "mn")

# One row per event: the names in LANGUAGES order. An alert's event is matched against every
# name of every row (case, spaces and hyphens ignored), so "호우", "Heavy rain" and "heavy-rain"
# are the same event. Add a row here (and nowhere else) to name a new kind of event.
EVENTS = [
    ("호우", "Heavy rain", "暴雨", "大雨", "Mưa lớn", "Аадар бороо"),
    ("태풍", "Typhoon", "台风", "台風", "Bão", "Хар шуурга"),
    ("지진", "Earthquake", "地震", "地震", "Động đất", "Газар хөдлөлт"),
    ("지진해일", "Tsunami", "海啸", "津波", "Sóng thần", "Цунами"),
    ("폭염", "Heat wave", "高温", "猛暑", "Nắng nóng", "Халуун давалгаа"),
    ("한파", "Cold wave", "寒潮", "寒波", "Đợt rét", "Хүйтний давалгаа"),
    ("대설", "Heavy snow", "暴雪", "大雪", "Tuyết rơi dày", "Их цас"),
    ("강풍", "Strong wind", "大风", "強風", "Gió mạnh", "Хүчтэй салхи"),
    ("홍수", "Flood", "洪水", "洪水", "Lũ lụt", "Үер"),
    ("침수", "Flooding", "内涝", "浸水", "Ngập úng", "Усанд автах"),
    ("산사태", "Landslide", "山体滑坡", "土砂崩れ", "Sạt lở đất", "Хөрсний гулгалт"),
    ("미세먼지", "Fine dust", "细颗粒物", "微小粒子状物質", "Bụi mịn", "Нарийн ширхэгт тоос"),
    ("황사", "Yellow dust", "沙尘", "黄砂", "Bụi vàng", "Шар шороо"),
    ("오존", "Ozone", "臭氧", "オゾン", "Ô-zôn", "Озон"),
    ("화재", "Fire", "火灾", "火災", "Hỏa hoạn", "Гал түймэр"),
    ("산불", "Wildfire", "山火", "山火事", "Cháy rừng", "Ойн түймэр"),
    ("정전", "Power outage", "停电", "停電", "Mất điện", "Цахилгаан тасалдал"),
    ("단수", "Water outage", "停水", "断水", "Cúp nước", "Усны тасалдал"),
    ("가스 누출", "Gas leak", "燃气泄漏", "ガス漏れ", "Rò rỉ khí gas", "Хийн алдагдал"),
    ("화학물질 유출", "Chemical spill", "化学品泄漏", "化学物質流出", "Rò rỉ hóa chất", "Химийн бодисын алдагдал"),
    ("건물 붕괴", "Building collapse", "建筑物倒塌", "建物倒壊", "Sập công trình", "Барилгын нуралт"),
    ("감염병", "Infectious disease", "传染病", "感染症", "Bệnh truyền nhiễm", "Халдварт өвчин"),
    ("교통 통제", "Traffic control", "交通管制", "交通規制", "Kiểm soát giao thông", "Замын хөдөлгөөний хязгаарлалт"),
    ("도로 결빙", "Icy roads", "道路结冰", "路面凍結", "Đường đóng băng", "Замын мөстөлт"),
    ("실종자", "Missing person", "失踪者", "行方不明者", "Người mất tích", "Сураггүй алга болсон хүн"),
    ("민방공 경보", "Air raid", "防空警报", "空襲警報", "Báo động phòng không", "Агаарын довтолгооны дохио"),
    ("테러", "Terrorism", "恐怖袭击", "テロ", "Khủng bố", "Террорист халдлага"),
]

# District code -> (Chinese, Japanese, Mongolian). Vietnamese is made from the English name.
DISTRICT_NAMES = {
    "11110": ("钟路区", "鍾路区", "Жонно"),
    "11140": ("中区", "中区", "Жун"),
    "11170": ("龙山区", "龍山区", "Ёнсан"),
    "11200": ("城东区", "城東区", "Сондон"),
    "11215": ("广津区", "広津区", "Гванжин"),
    "11230": ("东大门区", "東大門区", "Дондэмун"),
    "11260": ("中浪区", "中浪区", "Жуннан"),
    "11290": ("城北区", "城北区", "Сонбук"),
    "11305": ("江北区", "江北区", "Ганбук"),
    "11320": ("道峰区", "道峰区", "Добон"),
    "11350": ("芦原区", "蘆原区", "Новон"),
    "11380": ("恩平区", "恩平区", "Үнпён"),
    "11410": ("西大门区", "西大門区", "Сөдэмун"),
    "11440": ("麻浦区", "麻浦区", "Мапо"),
    "11470": ("阳川区", "陽川区", "Янчон"),
    "11500": ("江西区", "江西区", "Гансо"),
    "11530": ("九老区", "九老区", "Гуро"),
    "11545": ("衿川区", "衿川区", "Гымчон"),
    "11560": ("永登浦区", "永登浦区", "Ёндынпо"),
    "11590": ("铜雀区", "銅雀区", "Донжак"),
    "11620": ("冠岳区", "冠岳区", "Гванак"),
    "11650": ("瑞草区", "瑞草区", "Сочо"),
    "11680": ("江南区", "江南区", "Ганнам"),
    "11710": ("松坡区", "松坡区", "Сонпа"),
    "11740": ("江东区", "江東区", "Гандон"),
}

WHOLE_CITY = {
    "ko": "서울특별시 전역",
    "en": "All of Seoul",
    "zh": "首尔特别市全境",
    "ja": "ソウル特別市全域",
    "vi": "Toàn thành phố Seoul",
    "mn": "Сөүл хот даяар",
}
CIRCLE = {
    "ko": "{lat}, {lon} 반경 {radius}km",
    "en": "Within {radius} km of {lat}, {lon}",
    "zh": "{lat}, {lon} 周围 {radius} 公里范围内",
    "ja": "{lat}, {lon} から半径 {radius} km 以内",
    "vi": "Trong bán kính {radius} km quanh {lat}, {lon}",
    "mn": "{lat}, {lon} цэгээс {radius} км радиуст",
}
SENDER_NAME = {
    "ko": "서울특별시",
    "en": "Seoul Metropolitan Government",
    "zh": "首尔特别市",
    "ja": "ソウル特別市",
    "vi": "Chính quyền Thành phố Seoul",
    "mn": "Сөүл хотын захиргаа",
}
LIST_SEPARATOR = {"zh": "、", "ja": "、"}


def _key(name: str) -> str:
    return "".join(ch for ch in (name or "").casefold() if not ch.isspace() and ch not in "-_")


_EVENT_INDEX = {_key(name): row for row in EVENTS for name in row}


def event_names(event: str) -> dict[str, str] | None:
    """{language: name} of a known event (matched in any language), None for an event not listed."""
    row = _EVENT_INDEX.get(_key(event))
    return dict(zip(LANGUAGES, row, strict=True)) if row else None


def event_name(event: str, language: str) -> str | None:
    names = event_names(event)
    return names.get(language) if names else None


def district_name(district, language: str) -> str:
    if language == "ko":
        return district.name_ko
    if language == "en":
        return district.name_en
    names = DISTRICT_NAMES.get(district.code)
    english = district.name_en
    if language == "vi":
        return f"Quận {english.removesuffix('-gu')}"
    if names is None:
        return english
    chinese, japanese, mongolian = names
    return {"zh": chinese, "ja": japanese, "mn": f"{mongolian} дүүрэг"}.get(language, english)


def district_list(districts, language: str) -> str:
    return LIST_SEPARATOR.get(language, ", ").join(district_name(d, language) for d in districts)


# The Cancel message published when an officer stops an alert that had started going out.
WITHDRAWN_HEADLINE = {
    "ko": "[취소] {headline}",
    "en": "[Cancelled] {headline}",
    "zh": "[已撤回] {headline}",
    "ja": "[取り消し] {headline}",
    "vi": "[Đã hủy] {headline}",
    "mn": "[Цуцлагдсан] {headline}",
}
WITHDRAWN_DESCRIPTION = {
    "ko": "발령 기관이 이 경보를 취소했습니다. 앞서 받은 경보는 무시하세요.",
    "en": "The sender withdrew this alert. Disregard the earlier message.",
    "zh": "发送机构已撤回此警报，请忽略之前收到的消息。",
    "ja": "発信元がこの警報を取り消しました。先に届いた警報は無視してください。",
    "vi": "Cơ quan gửi đã thu hồi cảnh báo này. Hãy bỏ qua tin nhắn trước đó.",
    "mn": "Илгээгч энэ сэрэмжлүүлгийг цуцалсан. Өмнөх мэдээллийг анхаарахгүй байна уу.",
}
