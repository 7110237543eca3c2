"""Formats of identifiers, shared by database constraints and filter validation.

Anchored with \\A and \\Z (not ^ and $): in Python and SQLite's REGEXP, $ also matches
before a trailing newline, so "RU\\n" would pass on one database and fail on the other.
"""

WIKIDATA_ID = r"\AQ[1-9][0-9]*\Z"
COUNTRY_CODE = r"\A[A-Z]{2}\Z"
LANGUAGE_TAG = r"\A[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z"
CAMEO_CODE = r"\A[0-9]{2,4}\Z"
