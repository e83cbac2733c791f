"""Every string of ours has a Japanese translation."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from check_translations import missing_messages  # noqa: E402
from compile_translations import conflicts  # noqa: E402


def test_every_message_is_translated():
    missing = missing_messages()
    assert missing == {}, "\n".join(f"{w}: {m}" for m, w in missing.items())


def test_one_english_message_reads_the_same_everywhere():
    assert conflicts() == {}
