"""Evaluation data and reports; ``python -m eval`` runs ``qa.evaluation`` on a question set."""
