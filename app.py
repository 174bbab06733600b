"""Serve the question-answering chat: ``python app.py`` then open http://127.0.0.1:7860.

Flags override the environment (QA_HOST, QA_PORT, QA_DOCUMENTS_DIR, QA_INDEX_DIR, QA_READER), which overrides the
defaults (127.0.0.1, 7860, ./documents, ./index, the trained reader).
"""

from __future__ import annotations

import argparse
import logging


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the document question-answering chat (Gradio).")
    parser.add_argument("--host", help="interface to listen on (env QA_HOST; default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (env QA_PORT; default 7860)")
    parser.add_argument("--documents", help="documents folder (env QA_DOCUMENTS_DIR; default ./documents)")
    parser.add_argument("--index", help="index folder (env QA_INDEX_DIR; default ./index)")
    parser.add_argument("--reader", choices=["trained", "sentence"], help="default reader (env QA_READER)")
    parser.add_argument("--concurrency", type=int, default=4, help="questions answered at once (default 4)")
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "faiss.loader", "sentence_transformers", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from qa.web import serve

    serve(host=args.host, port=args.port, documents_dir=args.documents, index_dir=args.index, reader=args.reader,
          concurrency=args.concurrency, open_browser=args.open)


if __name__ == "__main__":
    main()
