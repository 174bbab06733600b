"""Offline: measure answers, retrieval, citations and latency on question sets (plots need qa[eval])."""
