"""Type stubs of the Rust extension module (see privclause/__init__.py for the documented API)."""

from typing import Optional

DEFAULT_MAX_UNIT_CHARS: int
DEFAULT_MAX_FILE_SIZE: int

class PrivclauseError(Exception): ...

class NativeLabeler:
    def __init__(
        self,
        model: Optional[str] = None,
        precision: Optional[str] = None,
        threads: Optional[int] = None,
        batch_size: int = 8,
        max_file_size: int = ...,
    ) -> None: ...
    @property
    def model_id(self) -> str: ...
    @property
    def threads(self) -> int: ...
    def label_texts(
        self, texts: list[str], contexts: list[str], ids: list[str], doc: str, format: str
    ) -> bytes: ...
    def label_files(
        self, paths: list[str], format: str, follow_links: bool = False
    ) -> tuple[bytes, list[str]]: ...

def segment_jsonl(text: str, doc: str, max_unit_chars: int) -> bytes: ...
