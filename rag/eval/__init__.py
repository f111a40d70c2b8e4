"""``rag eval``: rerunnable measurements of retrieval, calculators, report reading, answers and speed.

Each evaluation writes a folder with ``report.md``, ``results.json`` and PNG plots (see
``rag.eval.output``), so the figures a user relies on can be reproduced with one command on their
own machine and data. Metrics for ranked retrieval come from ranx (its ``Qrels``/``Run`` and paired
significance tests), not hand-written formulas; calculators and readers are scored right / wrong /
missing, because a wrong stage beside a citation is worse than a missing one.
"""
