"""Errors raised by the corpus package.

CorpusError                 the corpus as a whole cannot be used (missing, empty)
└── ArticleParseError       one file is not a usable article; the loader records it
                            as skipped and carries on with the others
"""


class CorpusError(Exception):
    """The corpus directory as a whole cannot be read."""


class ArticleParseError(CorpusError):
    """One file is not a usable article; `reason` is shown to admins verbatim."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
