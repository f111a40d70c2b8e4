"""Cited answers: intent routing, the pipeline (retrieve → select → generate → verify), sentence
verification against cited passages, and follow-up conversations.
"""
