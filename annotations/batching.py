"""`batched()`: an iterable in lists of up to n items, for the import's spaCy batches and the exports' chunks.

The one home of a helper both directions of the data need; itertools.batched arrives only in Python 3.12.
"""
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

Item = TypeVar("Item")


def batched(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Lists of up to `size` items, in order."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
