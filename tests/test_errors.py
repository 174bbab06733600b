"""The error tree: every error qa raises on purpose is a qa.Error, also the built-in error it was before."""

from __future__ import annotations

import builtins
import inspect
import re

from qa import errors


def test_every_error_is_drawn_in_the_tree_under_its_parent_with_its_built_in_base():
    classes = {name: c for name, c in vars(errors).items() if inspect.isclass(c) and issubclass(c, Exception)}
    drawn = re.findall(r"^    ([│ ]*)(?:[├└]── )?(\w+)(?: \((\w+)\))?", errors.__doc__ or "", re.MULTILINE)
    assert sorted(name for _, name, _ in drawn) == sorted(classes)
    parents: list[str] = []
    for indent, name, built_in in drawn:
        depth = len(indent) // 4 + (1 if name != "Error" else 0)
        parents[depth:] = [name]
        if depth:
            assert classes[name].__bases__[0] is classes[parents[depth - 1]], name
        if built_in:
            assert issubclass(classes[name], getattr(builtins, built_in)), name


def test_the_errors_are_still_what_they_were_and_importable_from_where_they_were():
    from qa import QAError
    from qa.app.remote import RemoteError
    from qa.documents.loading import DocumentError
    from qa.reading.calibration import CalibrationError
    from qa.store.protocol import StoreBusy, StoreError
    from qa.validation import OptionError

    assert QAError is errors.QAError and issubclass(OptionError, ValueError) and issubclass(OptionError, QAError)
    assert issubclass(StoreBusy, StoreError) and issubclass(StoreError, RuntimeError)
    assert issubclass(RemoteError, RuntimeError) and issubclass(DocumentError, ValueError)
    assert issubclass(CalibrationError, ValueError) and issubclass(errors.MissingError, FileNotFoundError)
    assert all(issubclass(c, errors.Error) for c in (QAError, StoreError, RemoteError, DocumentError))
    assert not issubclass(StoreError, ValueError)  # code catching ValueError does not catch a store's errors
    assert str(errors.MissingError("documents folder not found: docs")) == "documents folder not found: docs"
