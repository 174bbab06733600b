"""Stage 1, files to passages: load a folder's files (text, HTML, PDF, Word, tables, e-mails) and chunk them."""
