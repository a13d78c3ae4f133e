"""Questions and their answers: which messages are questions, answering them, paging,
inline mode."""
