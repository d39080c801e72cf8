"""Token estimates made before a call, where the API's own count is not at hand.

Korean text runs at roughly one token per 1.5-2 characters with current tokenizers; the
estimate errs high (1.5) because it feeds budget reservations, where guessing low overspends.
"""

import math

CHARS_PER_TOKEN = 1.5


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)
