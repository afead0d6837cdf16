"""One-to-one pairing of predicted marks with gold items, shared by the accuracy benches."""


def one_to_one(candidates: list[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """Pairs (i, j) from (cost, i, j) candidates, cheapest first, each i and each j used at most once.

    Callers give a negated similarity as the cost, so the most alike pairs are taken first (ties: earlier i, then j).
    """
    pairs: list[tuple[int, int]] = []
    used_i: set[int] = set()
    used_j: set[int] = set()
    for _, i, j in sorted(candidates):
        if i not in used_i and j not in used_j:
            pairs.append((i, j))
            used_i.add(i)
            used_j.add(j)
    return pairs
