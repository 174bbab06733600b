"""eval.whole_articles: SQuAD articles written whole as long documents, and the questions asked of them."""

from __future__ import annotations

import random

from eval.whole_articles import sampled_questions, write_articles
from qa.evaluation.squad import SquadArticle, SquadParagraph, SquadQuestion


def article(title: str, texts: list[str]) -> SquadArticle:
    paragraphs = [
        SquadParagraph(t, [SquadQuestion(f"{title}-{n}", f"What is {n}?", [t.split()[0]], [0])])
        for n, t in enumerate(texts)
    ]
    return SquadArticle(title, paragraphs)


def test_each_article_is_one_file_of_its_paragraphs_in_order(tmp_path):
    write_articles([article("a", ["Zoë sang.", "Kraków fell."]), article("b", ["Ødegård won."])], tmp_path)
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["article-00.txt", "article-01.txt"]
    assert files[0].read_text(encoding="utf-8") == "Zoë sang.\n\nKraków fell."


def test_questions_are_drawn_per_article_and_only_answerable_ones():
    first = article("a", ["one", "two", "three"])
    first.paragraphs[2].questions[0].answers = []  # a question without a gold answer is never asked
    drawn = sampled_questions([first, article("b", ["four"])], 2, random.Random(1))
    ids = [q.id for q in drawn]
    assert sorted(ids[:2]) == ["a-0", "a-1"] and ids[2:] == ["b-0"]
