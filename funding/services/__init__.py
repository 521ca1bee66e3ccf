"""Writes of the funding app, one module per part of an OFPPT dossier.

companies (employers), actions and days (training sessions), reimbursement
(scheme, rate snapshot, expected amount), participants (places and the
funding status machine), attendance, dossier (documents), filing (filed /
reimbursed) and reminders. Every function is keyword-only, atomic, and
validates with ``full_clean`` before saving. Personal identifiers (CIN, CNSS)
are never logged: log lines carry database ids only.
"""
