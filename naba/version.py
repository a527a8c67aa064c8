"""The pipeline version stamped on every row: code version + a hash of the extraction code and of
the reference data (dictionaries, lexicons), so `naba run --reprocess` knows what is out of date."""

from __future__ import annotations

import hashlib
from pathlib import Path

from naba import __version__

_TRANSFORMS = Path(__file__).resolve().parent.parent / "transforms"


def _digest_files(digest: hashlib._Hash, files: list[Path], root: Path) -> None:
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())


def pipeline_version(reference_dir: Path) -> str:
    digest = hashlib.sha256()
    _digest_files(digest, [*_TRANSFORMS.glob("*.py"), *_TRANSFORMS.glob("*.c")], _TRANSFORMS)
    reference_dir = Path(reference_dir)
    _digest_files(digest, [p for p in reference_dir.rglob("*") if p.is_file()], reference_dir)
    return f"{__version__}+{digest.hexdigest()[:12]}"
