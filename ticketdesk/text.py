"""Text as it may be shown or sent: what every layer shares about characters that lie or inject."""
import re

# bidirectional overrides and isolates, invisible marks, and every control character (CR and LF included)
INVISIBLE = re.compile("[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# what no name or address may hold at an entry (tab and line breaks included)
CONTROLS = re.compile("[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def visible(text: str) -> str:
    """`text` without control characters and bidirectional overrides, which make `invoice\u202efdp.exe`
    read as "invoiceexe.pdf" and a CR/LF in a name write a header."""
    return INVISIBLE.sub("", text)
