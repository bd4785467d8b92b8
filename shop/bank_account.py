"""Where buyers transfer to: the shop's bank account, from configuration."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class BankAccount:
    bank: str
    number: str
    holder: str


def bank_account() -> BankAccount:
    cfg = current_app.config
    return BankAccount(cfg["BANK_NAME"], cfg["BANK_ACCOUNT_NUMBER"], cfg["BANK_ACCOUNT_HOLDER"])
