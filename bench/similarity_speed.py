"""Milliseconds per similarity look-up (civicportal/similarity.py).

1. Scoring alone (Python): one title against N proposal titles, one case against N nearby
   cases (title and text), with their stored nouns, as the selectors call it.
2. With --db: the whole Oasis look-up (``proposals.selectors.similar_proposals``: candidate
   selection in the database, scoring, loading the found rows) against N public proposals, in a
   throwaway test database of the configured DATABASE_URL (SQLite in memory by default; for
   PostgreSQL set DATABASE_URL and DATABASE_TEST_NAME, e.g. test_similar_bench).

Run: DJANGO_SETTINGS_MODULE=civicportal.settings PYTHONPATH=. .venv/bin/python bench/similarity_speed.py [--db]"""

import argparse
import os
import random
import statistics
import time

import django

SUBJECTS = [
    "버스정류장 그늘막",
    "도서관 야간 개방",
    "공공건물 옥상 정원",
    "한강 야외 수영장",
    "반려견 놀이터",
    "자전거 전용 도로",
    "심야 버스 노선",
    "무료 와이파이",
    "청년 창업 공간",
    "전통시장 공동 배송",
    "어르신 일자리",
    "무더위 쉼터",
    "안심 귀갓길 조명",
    "다국어 안내판",
    "빗물 저금통",
    "공유 주방",
    "학교 운동장 개방",
    "폐교 문화센터",
    "일회용 컵 보증금",
    "장애인 편의시설 지도",
    "골목 상권 축제",
    "주말 장터",
    "스마트 쉼터",
    "공영 주차장",
    "어린이 보호구역 단속 카메라",
    "가로등 교체",
]
PLACES = [
    "마포구",
    "강남구",
    "종로구",
    "송파구",
    "은평구",
    "노원구",
    "관악구",
    "성동구",
    "합정역",
    "시청 앞",
    "동네",
    "",
]
VERBS = ["설치", "확대", "조성", "도입", "개선", "지원", "운영", "신설", "늘려 주세요", "만들자"]
PROBLEMS = [
    "때문에 통행이 어렵습니다",
    "이 고장 나서 위험합니다",
    "이 부족해서 불편합니다",
    "이 너무 멀어요",
    "관리가 안 되고 있어요",
    "이 밤마다 시끄럽습니다",
]

QUERIES = ["버스정류장에 그늘막 설치", "도서관 야간개방 확대", "한강공원 반려견 놀이터", "청년창업공간 지원"]


def titles(n, rng):
    return [f"{rng.choice(PLACES)} {rng.choice(SUBJECTS)} {rng.choice(VERBS)}".strip() for _ in range(n)]


def case_texts(n, rng):
    out = []
    for title in titles(n, rng):
        body = " ".join(f"{rng.choice(SUBJECTS)}{rng.choice(PROBLEMS)}." for _ in range(4))
        out.append(f"{title}\n{body}")
    return out


def median_ms(call, rounds):
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def cold_and_warm(call):
    """Median ms of a look-up with no candidate vector kept (the first) and with them kept."""
    from civicportal import similarity

    def cold():
        similarity._vectors.cache_clear()
        call()

    cold_ms = median_ms(cold, 5)
    call()
    return cold_ms, median_ms(call, 7)


def scoring(rng):
    from civicportal import similarity
    from civicportal.nouns import nouns_of

    similarity.score("준비", "준비")  # load the analyser and the reference collection once
    for n in (1000, 3000, 5000):
        pool = titles(n, rng)
        candidates = [similarity.Candidate(i, t, nouns_of(t)) for i, t in enumerate(pool)]
        cold, warm = cold_and_warm(
            lambda c=candidates: similarity.most_similar("버스정류장에 그늘막 설치", c, use="proposals")
        )
        print(f"scoring, 1 title against {n:5} proposal titles: {cold:6.1f} ms first, {warm:6.1f} ms again")
    for n in (50, 200, 500):
        pool = case_texts(n, rng)
        candidates = [similarity.Candidate(i, t, nouns_of(t)) for i, t in enumerate(pool)]
        query = "정류장 그늘막 설치\n버스정류장 그늘막이 고장 나서 위험합니다. 여름마다 햇볕 때문에 통행이 어렵습니다."
        cold, warm = cold_and_warm(lambda c=candidates, q=query: similarity.most_similar(q, c, use="complaints"))
        print(
            f"scoring, 1 case against {n:5} nearby cases (title and text): {cold:6.1f} ms first, {warm:6.1f} ms again"
        )


def database(rng, counts):
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from civicportal.accounts.models import User
    from civicportal.nouns import nouns_of
    from proposals.models import Proposal
    from proposals.selectors import similar_proposals

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        author = User.objects.create(username="bench-author")
        made = 0
        for n in counts:
            rows = [
                Proposal(
                    author=author,
                    title=t,
                    title_nouns=nouns_of(t),
                    problem="-",
                    idea="-",
                    expected_effect="-",
                    status=Proposal.Status.OPEN,
                    submitted_at=timezone.now(),
                )
                for t in titles(n - made, rng)
            ]
            Proposal.objects.bulk_create(rows, batch_size=2000)
            made = n
            ms = median_ms(lambda: [similar_proposals(title=q) for q in QUERIES], 5) / len(QUERIES)
            print(f"{connection.vendor}: similar_proposals among {n:5} public proposals: {ms:6.1f} ms per look-up")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="store_true", help="also time the whole Oasis look-up in a test database")
    args = parser.parse_args()
    django.setup()
    rng = random.Random(16)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (figures grow with it)")
    scoring(rng)
    if args.db:
        database(rng, (1000, 3000))


if __name__ == "__main__":
    main()
