"""Errors raised by the retrieval package.

RetrievalError          retrieval cannot serve (wraps what went wrong)
└── IndexBuildError     the index could not be built or loaded from the cache
"""


class RetrievalError(Exception):
    """Retrieval cannot serve; the message says why."""


class IndexBuildError(RetrievalError):
    """Building or loading the index failed; a serving index stays as it was."""
