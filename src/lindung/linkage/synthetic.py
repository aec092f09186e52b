"""Fictional persons with planted duplicates, for the tests, the demo and the scale benchmark of
batch deduplication. Every name is a common given or family name put together at random; a
duplicate is a copy with the mistakes agencies make: a name spelt another way or mistyped, day
and month of birth swapped, one character of the passport wrong, a document missing."""

import datetime
import random
import string

GIVEN = [
    "Muhammad", "Ahmad", "Abdul", "Nguyen Van", "Tran Thi", "Aung", "Kyaw", "Min", "Somboon", "Somsak",
    "Siti", "Nur", "Maria", "Jose", "Juan", "Ana", "Rahim", "Karim", "Hassan", "Fatima",
    "Aisha", "Hamid", "Rashid", "Sokha", "Dara", "Vanna", "Phuong", "Linh", "Thanh", "Hoa",
    "Ivan", "Olga", "Sergei", "Dilnoza", "Rustam", "Bobur", "Aziz", "Farhod", "Zarina", "Lola",
]  # fmt: skip
FAMILY = [
    "Rahimov", "Karimov", "Usmanov", "Nguyen", "Tran", "Le", "Pham", "Hoang", "Win", "Oo",
    "Htun", "Naing", "Saetang", "Srisuk", "Wongsa", "Santos", "Reyes", "Cruz", "Bautista", "Garcia",
    "Hassan", "Ali", "Rahman", "Hossain", "Islam", "Chan", "Sok", "Chea", "Ly", "Kim",
    "Petrov", "Ivanov", "Smirnov", "Yusupov", "Aliyev", "Tashkentov", "Mirzaev", "Sultanov", "Nazarov",
    "Ibragimov",
]  # fmt: skip
COUNTRIES = ["UZB", "VNM", "MMR", "THA", "KHM", "PHL", "IDN", "RUS"]
# How agencies write the same sounds differently (each pair both ways).
SPELLINGS = [("kh", "h"), ("u", "ou"), ("ph", "f"), ("ov", "ow"), ("i", "y"), ("mm", "m")]


def _passport(rng) -> str:
    return "".join(rng.choices(string.ascii_uppercase, k=2)) + "".join(rng.choices(string.digits, k=7))


def _person(rng) -> dict:
    start = datetime.date(1960, 1, 1).toordinal()
    dob = datetime.date.fromordinal(start + rng.randrange(45 * 365))
    fields = {
        "given_name": rng.choice(GIVEN),
        "family_name": rng.choice(FAMILY),
        "date_of_birth": dob,
        "sex": rng.choice("MF"),
        "citizenship": rng.choice(COUNTRIES),
    }
    if rng.random() < 0.7:
        passport = {"type": "passport", "number": _passport(rng), "country": fields["citizenship"]}
        fields["documents"] = [passport]
    return fields


def _respell(rng, name: str) -> str:
    for a, b in rng.sample(SPELLINGS, len(SPELLINGS)):
        for x, y in ((a, b), (b, a)):
            if x in name.lower():
                i = name.lower().index(x)
                return name[:i] + y + name[i + len(x) :]
    i = rng.randrange(1, len(name))  # no known variant: one letter mistyped
    return name[:i] + rng.choice(string.ascii_lowercase) + name[i + 1 :]


def _duplicate(rng, original: dict) -> dict:
    copy = {k: (list(v) if isinstance(v, list) else v) for k, v in original.items()}
    mistakes = rng.sample(["given", "family", "dob", "document"], 2)
    if "given" in mistakes:
        copy["given_name"] = _respell(rng, copy["given_name"])
    if "family" in mistakes:
        copy["family_name"] = _respell(rng, copy["family_name"])
    dob = copy["date_of_birth"]
    if "dob" in mistakes and dob.day <= 12 and dob.day != dob.month:
        copy["date_of_birth"] = dob.replace(month=dob.day, day=dob.month)
    if "document" in mistakes and copy.get("documents"):
        number = copy["documents"][0]["number"]
        wrong = str((int(number[-1]) + 1) % 10)
        copy["documents"] = [{**copy["documents"][0], "number": number[:-1] + wrong}]
    return copy


def persons(n: int, duplicates: int, *, seed: int = 17) -> tuple[list[dict], list[tuple[int, int]]]:
    """``n`` distinct fictional persons followed by ``duplicates`` copies of some of them; with the
    index pairs (original, copy) that are the same person."""
    rng = random.Random(seed)
    people = [_person(rng) for _ in range(n)]
    planted = []
    for original in rng.sample(range(n), duplicates):
        planted.append((original, len(people)))
        people.append(_duplicate(rng, people[original]))
    return people, planted
