import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.catalog.services import split_sale


def test_default_split_of_the_profit():
    split = split_sale(150_000, 50_000, 50, 15, 35)
    assert (split.profit, split.premi, split.pnbp, split.capital) == (
        100_000,
        50_000,
        15_000,
        35_000,
    )
    assert split.material_cost == 50_000


def test_remainders_go_to_the_largest_fractions_and_add_up():
    split = split_sale(100_001, 0, 50, 15, 35)  # exact: 50000.5, 15000.15, 35000.35
    assert (split.premi, split.pnbp, split.capital) == (50_001, 15_000, 35_000)
    split = split_sale(7, 0, 33, 33, 34)  # exact: 2.31, 2.31, 2.38
    assert (split.premi, split.pnbp, split.capital) == (2, 2, 3)


def test_material_cost_above_price_leaves_no_profit():
    split = split_sale(100_000, 120_000, 50, 15, 35)
    assert split.profit == 0 and split.material_cost == 100_000
    assert split.premi == split.pnbp == split.capital == 0


def test_percentages_must_add_up():
    with pytest.raises(ValueError):
        split_sale(100_000, 0, 50, 15, 30)


@given(
    price=st.integers(min_value=1, max_value=10**9),
    material=st.integers(min_value=0, max_value=10**9),
    premi=st.integers(min_value=0, max_value=100),
    pnbp_share=st.integers(min_value=0, max_value=100),
)
def test_shares_always_add_up_to_the_profit(price, material, premi, pnbp_share):
    pnbp = min(pnbp_share, 100 - premi)
    split = split_sale(price, material, premi, pnbp, 100 - premi - pnbp)
    assert split.premi + split.pnbp + split.capital == split.profit
    assert split.material_cost + split.profit == price
    for share, pct in (
        (split.premi, premi),
        (split.pnbp, pnbp),
        (split.capital, 100 - premi - pnbp),
    ):
        assert abs(share - split.profit * pct / 100) < 1
