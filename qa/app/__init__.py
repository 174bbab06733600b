"""The ways in: the ``qa`` command, the Gradio chat with its JSON API, and the client of a running server."""
