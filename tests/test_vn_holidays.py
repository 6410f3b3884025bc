"""The written-out table of Vietnam's public holidays is what the `holidays` package gives:
a package upgrade that moves a day fails here until the table is written again."""

from __future__ import annotations

import holidays

from scheduler import vn_holidays


def test_the_table_holds_the_packages_holidays_for_every_year() -> None:
    for year in range(2020, 2061):
        assert vn_holidays.public_holidays(year) == frozenset(holidays.country_holidays("VN", years=year)), year


def test_the_table_says_which_package_wrote_it() -> None:
    assert vn_holidays.HOLIDAYS_VERSION == holidays.__version__


def test_a_year_outside_the_table_is_asked_of_the_package() -> None:
    assert vn_holidays.public_holidays(2070) == frozenset(holidays.country_holidays("VN", years=2070))
