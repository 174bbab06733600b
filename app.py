"""Serve the question-answering chat: ``python app.py`` then open http://127.0.0.1:7860.

The same as ``qa serve`` (``python app.py --help`` lists the flags): flags override the environment (QA_HOST,
QA_PORT, QA_AUTH, QA_DOCUMENTS_DIR, QA_INDEX_DIR, QA_READER...), which overrides the defaults (127.0.0.1, 7860,
./documents, ./index, the trained reader).
"""

from __future__ import annotations

import sys

from qa.app.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
