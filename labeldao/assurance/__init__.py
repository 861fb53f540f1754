"""Assurance tooling for auditors: revert-string coverage, mutation testing,
contract coverage and the fuzz runners (see docs/AUDITING.md)."""
