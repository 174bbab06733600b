"""Evaluation data and reports; ``python -m eval`` runs ``qa.evaluation.cli`` on a question set."""
