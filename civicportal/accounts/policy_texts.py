# ruff: noqa: E501  (prose: one paragraph a line, as an administrator edits it)
"""The first text of the terms of use and the privacy notice, loaded by a data migration
(so a fresh portal never links to an empty page) and kept by the demo data. The city's
administrator edits them in admin; these are a starting point, not legal advice."""

TERMS = {
    "title_ko": "이용약관",
    "title_en": "Terms of use",
    "body_ko": """제1조 (목적)
이 약관은 서울시민참여포털(이하 "포털")이 제공하는 민원(응답소), 투표(엠보팅), 120다산콜, 정책제안(상상대로 서울) 서비스의 이용 조건과 절차를 정합니다.

제2조 (회원 가입)
시민은 이 약관과 개인정보 처리방침에 동의하고 가입합니다. 한 사람은 하나의 계정만 쓸 수 있으며, 다른 사람의 정보로 가입할 수 없습니다.

제3조 (이용자의 의무)
이용자는 민원, 제안, 댓글에 다른 사람의 개인정보나 욕설, 허위 사실을 쓰지 않습니다. 투표는 한 사람이 한 번만 합니다.

제4조 (게시물의 공개)
민원의 제목과 내용은 작성자가 공개를 선택한 경우에만 공개됩니다. 정책제안은 제출하면 공개됩니다. 공개된 답변 사례는 개인을 알아볼 수 없도록 가공합니다.

제5조 (서비스의 변경과 중단)
시는 점검이나 장애가 있을 때 서비스를 잠시 멈출 수 있으며, 미리 알릴 수 있으면 알립니다.

제6조 (약관의 변경)
약관을 바꿀 때에는 시행 7일 전부터 포털에 알립니다.""",
    "body_en": """1. Purpose
These terms set out how the Seoul Civic Portal ("the portal") offers its complaints (Eung-Dap-So), polls (mVoting), 120 Dasan and policy proposal (Oasis) services.

2. Accounts
Citizens sign up by agreeing to these terms and to the privacy notice. One person holds one account, in their own name.

3. What users must not do
Do not write other people's personal data, abuse or false statements into complaints, proposals or comments. Vote once per poll.

4. What becomes public
A complaint's title and text are public only when its author chose so. A submitted policy proposal is public. Published answers are anonymised.

5. Changes and interruptions
The city may pause a service for maintenance or a fault, and announces it in advance when it can.

6. Changes to these terms
Changes are announced on the portal seven days before they apply.""",
}

PRIVACY = {
    "title_ko": "개인정보 처리방침",
    "title_en": "Privacy notice",
    "body_ko": """1. 포털이 보관하는 정보
계정: 아이디, 이름, 이메일, 비밀번호(복원할 수 없는 형태로만 저장).
선택 정보: 출생 연도, 성별, 사는 구와 동, 휴대전화 번호, 알림 수신 동의, 동의한 경우 집 위치.
이용 기록: 제출한 민원과 첨부 파일(사진의 위치 정보 등 메타데이터는 지움), 투표 참여 여부, 정책제안과 댓글, 120 상담 기록, 받은 알림.
120 실시간 상담(채팅, 영상, 수어): 주고받은 글과 사진, 그리고 시작·종료 시각, 주제, 언어, 담당 상담사를 120 상담 기록으로 보관합니다. 영상과 음성은 녹화하거나 저장하지 않습니다.
보안 기록: 로그인 실패 기록, 직원이 개인정보를 열람한 기록.

2. 쓰는 목적
민원을 담당 부서에 보내고 답변을 알리기 위해, 대상이 정해진 투표에 참여할 수 있는지 확인하기 위해, 재난 문자를 사는 지역에 보내기 위해, 그리고 부정 이용을 막기 위해 씁니다.

3. 공개하지 않는 것
이름, 연락처, 정확한 위치는 공개 화면과 공개 API에 나오지 않습니다. 투표 결과의 세부 통계는 5명 미만인 칸을 가립니다. 주민등록번호는 받지 않습니다.

4. 보관 기간
계정 정보는 탈퇴할 때까지, 민원과 상담 기록은 관련 법령이 정한 기간 동안 보관합니다.

5. 열람, 정정, 삭제
내 페이지에서 언제든 정보를 고치고 알림 동의를 바꿀 수 있습니다. 열람, 삭제, 처리 정지 요청은 120다산콜재단으로 하시면 됩니다.""",
    "body_en": """1. What the portal keeps
Account: username, name, email, password (stored only in a form that cannot be reversed).
If you give them: birth year, gender, district and dong, mobile number, notification consents, and your home location when you agree to it.
What you do: complaints and their files (image metadata such as GPS is removed), whether you voted, proposals and comments, 120 contact records, notifications sent to you.
120 live counselling (chat, video, sign language): the messages and images exchanged, with the start and end times, topic, language and counsellor, are kept as the 120 contact record. Audio and video are never recorded or stored.
Security: failed logins, and every time staff open someone's personal data.

2. Why
To route complaints and tell you the answer, to check who may vote in a targeted poll, to send emergency alerts to the area where you live, and to prevent abuse.

3. What is never public
Names, contact details and exact locations never appear on public pages or the public API. Poll breakdowns hide groups of fewer than 5 voters. Resident registration numbers are never collected.

4. How long
Account data until you close the account; complaint and counselling records for the period the law sets.

5. Your rights
Change your data and consents at any time on My page. To see, delete or stop the use of your data, contact the 120 Dasan call centre.""",
}

PAGES = {"terms": TERMS, "privacy": PRIVACY}


def load_policy_pages(PolicyPage):
    """Create the pages that do not exist yet; an administrator's edits are kept."""
    for kind, fields in PAGES.items():
        PolicyPage.objects.get_or_create(kind=kind, defaults=fields)
