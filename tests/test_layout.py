"""The shape of the code: no function in qa/ longer than MAX_FUNCTION_LINES, but for declarative argument parsers."""

import ast
from pathlib import Path

MAX_FUNCTION_LINES = 60
PACKAGE = Path(__file__).resolve().parent.parent / "qa"
DECLARATIVE_PARSERS = {"app.cli.build_parser", "evaluation.cli.add_arguments"}  # one add_argument after another


def function_lengths(path: Path) -> list[tuple[str, int]]:
    """Every function of a module (methods and nested ones too) as package.module.name, with its length in lines."""
    module = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (f"{module}.{node.name}", node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None
    ]


def test_no_function_in_the_package_is_longer_than_sixty_lines():
    too_long = [
        (name, lines)
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, lines in function_lengths(path)
        if lines > MAX_FUNCTION_LINES and name not in DECLARATIVE_PARSERS
    ]
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines (split them): {too_long}"


def test_the_allowed_parsers_still_exist():
    names = {name for path in PACKAGE.rglob("*.py") for name, _ in function_lengths(path)}
    assert names >= DECLARATIVE_PARSERS
