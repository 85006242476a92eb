"""A corpus of malformed and hostile input files, each with its expected outcome (issue: trust)."""
