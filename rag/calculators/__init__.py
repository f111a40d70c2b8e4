"""Deterministic staging and RADS calculators, and the service that runs them and cites rule rows.

``registry`` finds a calculator by system name; ``service`` reads input, runs it and attaches the
corpus passages (``rulebook``) that state each rule used; ``staging`` holds the AJCC/UICC TNM
tables, ``rads`` the radiology and WHO classification rules.
"""
