"""Facility time: Indonesia's Western time (WIB, UTC+7, no daylight saving)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

try:
    from zoneinfo import ZoneInfo

    JAKARTA = ZoneInfo("Asia/Jakarta")
except Exception:  # pragma: no cover - no tz database: WIB has been UTC+7 since 1964
    JAKARTA = timezone(timedelta(hours=7), "WIB")


def jakarta_today(now: datetime) -> date:
    return now.astimezone(JAKARTA).date()


def day_start(day: date) -> datetime:
    """Midnight in Jakarta of ``day`` (an aware datetime)."""
    return datetime(day.year, day.month, day.day, tzinfo=JAKARTA)
