"""Evaluation data and reports; ``python -m eval`` runs ``qa.evaluation.runners`` on a question set."""
