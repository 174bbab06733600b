"""Stage 1, files to passages: load a folder's files (text, Markdown, HTML, PDF, Word), read PDFs in order, chunk."""
