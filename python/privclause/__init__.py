"""privclause: label the clauses of Chinese privacy policies (隐私政策) with a local BERT classifier.

The model runs in Rust (the same code and model as the ``privclause`` CLI), with the GIL released
while it works. Records are the CLI's records: a list of dicts (as ``privclause label`` writes them
in JSONL) or a ``pyarrow.Table`` (the CLI's Parquet schema).

    >>> import privclause
    >>> labeler = privclause.Labeler()            # the shipped model
    >>> table = labeler.label_files(["datasets/seeds/"], format="arrow")
    >>> labeler.label_texts(["我们会收集您的手机号码。"])[0]["labels"]
    ['collection']
"""

from __future__ import annotations

import io
import json
import os
import warnings
from typing import Any, Iterable, Literal, Optional, Sequence, Union

from ._native import (
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_MAX_UNIT_CHARS,
    NativeLabeler,
    PrivclauseError,
    segment_jsonl,
)

__all__ = ["Labeler", "PrivclauseError", "InputWarning", "segment", "LABELS"]

#: The five labels, in the order of the ``score_*`` columns.
LABELS = ("collection", "sharing", "sensitive", "exemptions", "rights")

Format = Literal["records", "arrow"]


class InputWarning(UserWarning):
    """An input file that could not be labeled (the message names the file and the problem)."""


def _records(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line]


def _table(data: bytes):
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data))


class Labeler:
    """A loaded model: ``model`` is a model directory or Hugging Face repo id (the shipped model
    when ``None``), ``precision`` ``"int8"`` or ``"f32"`` (the model's own setting when ``None``;
    int8 for the shipped model), ``threads`` the worker threads (``RAYON_NUM_THREADS``, else one
    per core, when ``None``).

    Raises :class:`PrivclauseError` when the model cannot be loaded.
    """

    def __init__(
        self,
        model: Optional[Union[str, os.PathLike]] = None,
        precision: Optional[str] = None,
        threads: Optional[int] = None,
        batch_size: int = 8,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    ) -> None:
        self._native = NativeLabeler(
            None if model is None else os.fspath(model),
            precision,
            threads,
            batch_size,
            max_file_size,
        )

    @property
    def model_id(self) -> str:
        """The model id written into every record."""
        return self._native.model_id

    @property
    def threads(self) -> int:
        """Worker threads the model runs on."""
        return self._native.threads

    def label_texts(
        self,
        texts: Sequence[str],
        contexts: Optional[Sequence[str]] = None,
        ids: Optional[Sequence[Any]] = None,
        doc: str = "texts",
        format: Format = "records",
    ):
        """Labels clauses you split yourself, as ``privclause label --input-units`` does.

        ``contexts`` (the section heading and list lead before each text, joined by newlines;
        empty when ``None``) and ``ids`` (the text's position when ``None``) run parallel to
        ``texts``. Returns a list of dicts, or a ``pyarrow.Table`` with ``format="arrow"``.
        """
        texts = list(texts)
        contexts = [""] * len(texts) if contexts is None else [str(c) for c in contexts]
        ids = [str(i) for i in range(len(texts))] if ids is None else [str(i) for i in ids]
        if not (len(contexts) == len(ids) == len(texts)):
            raise ValueError("texts, contexts and ids must have the same length")
        native_format = "jsonl" if format == "records" else _parquet(format)
        data = self._native.label_texts(texts, contexts, ids, doc, native_format)
        return _records(data) if format == "records" else _table(data)

    def label_files(
        self,
        paths: Iterable[Union[str, os.PathLike]],
        format: Format = "records",
        errors: Literal["warn", "raise"] = "warn",
        follow_links: bool = False,
    ):
        """Segments and labels policy files and directories, as ``privclause label`` does.

        A file that cannot be read or labeled is reported (an :class:`InputWarning`, or a
        :class:`PrivclauseError` with ``errors="raise"`` after all files ran) and the others are
        still labeled. Returns a list of dicts, or a ``pyarrow.Table`` with ``format="arrow"``.
        """
        native_format = "jsonl" if format == "records" else _parquet(format)
        data, failures = self._native.label_files(
            [os.fspath(p) for p in paths], native_format, follow_links
        )
        if failures and errors == "raise":
            raise PrivclauseError("; ".join(failures))
        for failure in failures:
            warnings.warn(failure, InputWarning, stacklevel=2)
        return _records(data) if format == "records" else _table(data)


def _parquet(format: str) -> str:
    if format != "arrow":
        raise ValueError(f'format must be "records" or "arrow", not {format!r}')
    return "parquet"


def segment(
    text: str, doc: str = "text", max_unit_chars: int = DEFAULT_MAX_UNIT_CHARS
) -> list[dict[str, Any]]:
    """Cuts a policy's text into clause units (dicts as ``privclause segment`` prints them)."""
    return _records(segment_jsonl(text, doc, max_unit_chars))
