"""Offline: fine-tune readers and make their training data (needs qa[train])."""
