"""Errors that stop an ingest round as a whole.

CorpusError                     (corpus.errors)
└── IngestError                 the round cannot run: no corpus directory, unusable data dir
    └── IngestBusyError         another round holds the lock for this corpus

Everything that goes wrong with one feed or one entry (timeouts, bad HTML, duplicates,
a page in another language) is not an exception: it becomes a line of the
`IngestReport`, and the round carries on with the others.
"""

from corpus.errors import CorpusError

__all__ = ["IngestBusyError", "IngestError"]


class IngestError(CorpusError):
    """An ingest round could not run at all."""


class IngestBusyError(IngestError):
    """Another ingest round (this process or another) is running on the same corpus."""
