"""``rag corpus check``: front matter, rule ids, tables, and every stage grid against its calculator.
"""
