"""Reading a JSON data file (scoring tables, protocols) with errors that name the file and the fix."""
from __future__ import annotations

import json
from pathlib import Path


def read_json(path: str | Path, error: type[Exception], missing: str, fix: str) -> object:
    """-> the parsed document; `error` (one line) when the file is missing (`missing` says what
    to do) or is not valid JSON (`fix` says what to do)."""
    p = Path(path)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{p}: {missing}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise error(f"{p}: not valid JSON ({e.__class__.__name__}: {e}); {fix}") from None
