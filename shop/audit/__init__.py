"""Audit log: one row for every change a person (administrator or staff) makes."""
