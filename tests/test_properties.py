"""Numbers written the way reports write them read back to the same integer."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from indicators.extract import extract, parse_number
from indicators.parse import parse_text
from indicators.read import normalize

_FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")

CURRENCIES = {
    "ドル": "USD",
    "ユーロ": "EUR",
    "ロシア・ルーブル": "RUB",
    "ベラルーシ・ルーブル": "BYN",
    "元": "CNY",
    "人民元": "CNY",
}
QUALIFIERS = {"": "exact", "約": "approx", "少なくとも": "at_least"}


@st.composite
def written(draw: st.DrawFn, value: int) -> str:
    """``value`` as a report might print it: "120,000,000", "1億 2,000万", "１億２，０００万"."""
    commas = draw(st.booleans())

    def digits(n: int) -> str:
        return f"{n:,}" if commas else str(n)

    if draw(st.booleans()):
        oku, man, rest = value // 10**8, value // 10**4 % 10**4, value % 10**4
        parts = [
            f"{digits(oku)}億" if oku else "",
            f"{digits(man)}万" if man else "",
            digits(rest) if rest else "",
        ]
        text = draw(st.sampled_from(["", " ", "　"])).join(p for p in parts if p) or "0"
    else:
        text = digits(value)
    if draw(st.booleans()):
        text = text.translate(_FULL_WIDTH)
    return text


amounts = st.integers(min_value=0, max_value=10**12 - 1)


@given(data=st.data(), value=amounts)
def test_a_written_number_reads_back(data: st.DataObject, value: int) -> None:
    text = data.draw(written(value))
    assert parse_number(normalize(text)) == Decimal(value)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    value=st.integers(min_value=1, max_value=10**12 - 1),
    currency=st.sampled_from(sorted(CURRENCIES)),
    qualifier=st.sampled_from(sorted(QUALIFIERS)),
)
def test_a_deal_amount_reads_back_through_the_extractor(
    data: st.DataObject, value: int, currency: str, qualifier: str
) -> None:
    amount = data.draw(written(value))
    bullet = f"・中国の企業と{qualifier} {amount}{currency}の契約を締結。"
    # A PDF line break anywhere in the bullet (not at its ends), as in the reports. Word's
    # line breaking (kinsoku) never starts a line with "・", so a line that does is a bullet.
    cut = data.draw(st.integers(min_value=2, max_value=len(bullet) - 2))
    assume(bullet[cut] != "・")
    lines = [
        " ベラルーシ公開情報とりまとめ",
        "（11月 20日～11月 26日）",
        "2023年 11月 30日",
        "在ベラルーシ大使館",
        "【経済】",
        "●中国企業との契約",
        bullet[:cut],
        bullet[cut:],
        "（11月 22日 国営ベルタ通信）",
    ]
    report = parse_text("".join(f"{line} \n\n" for line in lines))

    [observation] = extract(report).observations

    assert (observation.value, observation.unit, observation.qualifier) == (
        Decimal(value),
        CURRENCIES[currency],
        QUALIFIERS[qualifier],
    )
    assert observation.dimension == "CN"
