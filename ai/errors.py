"""Errors the AI services raise for people to read."""


class AnalysisRefused(Exception):
    """A request for analysis that cannot be taken; `message` says why, in Korean."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
