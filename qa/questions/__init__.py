"""Before retrieval: resolve a follow-up against its conversation and split a two-part question."""
