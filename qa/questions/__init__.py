"""Before retrieval: chat wording put plainly, follow-ups resolved against their conversation, two asks split."""
