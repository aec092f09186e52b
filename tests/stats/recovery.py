"""An attacker's view of a published table, independent of the engine.

The attacker knows every published cell and total, that each row (and, in a two-way table, each
column) adds up to its total, and that counts are non-negative integers. ``other_value`` searches
exhaustively (bounds propagation plus branching) for a filling of the suppressed cells that agrees
with everything published but gives a chosen cell another value than the true one. A cell for which
no such filling exists is recoverable.
"""

import numpy as np


def relations(grid: np.ndarray):
    """(parts, total) cell lists: each row adds up to its last cell; with a total row, each column too."""
    n_rows, n_cols = grid.shape
    found = [([(i, j) for j in range(n_cols - 1)], (i, n_cols - 1)) for i in range(n_rows)]
    if n_rows > 1:
        found += [([(i, j) for i in range(n_rows - 1)], (n_rows - 1, j)) for j in range(n_cols)]
    return found


def _propagate(eqs, lo, hi):
    """Tighten [lo, hi] of every cell to bounds consistency; False when infeasible."""
    changed = True
    while changed:
        changed = False
        for parts, total in eqs:
            sum_lo = sum(lo[c] for c in parts)
            sum_hi = sum(hi[c] for c in parts)
            new_lo, new_hi = max(lo[total], sum_lo), min(hi[total], sum_hi)
            if (new_lo, new_hi) != (lo[total], hi[total]):
                lo[total], hi[total], changed = new_lo, new_hi, True
            if lo[total] > hi[total]:
                return False
            for c in parts:
                new_lo = max(lo[c], lo[total] - (sum_hi - hi[c]))
                new_hi = min(hi[c], hi[total] - (sum_lo - lo[c]))
                if (new_lo, new_hi) != (lo[c], hi[c]):
                    lo[c], hi[c], changed = new_lo, new_hi, True
                    sum_lo = sum(lo[x] for x in parts)
                    sum_hi = sum(hi[x] for x in parts)
                if lo[c] > hi[c]:
                    return False
    return True


def _solve(eqs, lo, hi, budget):
    budget[0] -= 1
    if budget[0] < 0:
        raise RuntimeError("search too large")
    if not _propagate(eqs, lo, hi):
        return False
    open_cells = [c for c in lo if lo[c] < hi[c]]
    if not open_cells:
        return True
    cell = min(open_cells, key=lambda c: hi[c] - lo[c])
    middle = (lo[cell] + hi[cell]) // 2
    for new_lo, new_hi in ((lo[cell], middle), (middle + 1, hi[cell])):
        trial_lo, trial_hi = dict(lo), dict(hi)
        trial_lo[cell], trial_hi[cell] = new_lo, new_hi
        if _solve(eqs, trial_lo, trial_hi, budget):
            return True
    return False


def other_value(grid, mask, cell, cap: int, budget: int = 100_000) -> bool:
    """Is there a consistent filling in which ``cell`` differs from its true value?"""
    grid = np.asarray(grid)
    eqs = relations(grid)
    base_lo, base_hi = {}, {}
    for index in np.ndindex(grid.shape):
        if mask[index]:
            base_lo[index], base_hi[index] = 0, cap
        else:
            base_lo[index] = base_hi[index] = int(grid[index])
    true = int(grid[cell])
    for low, high in ((0, true - 1), (true + 1, cap)):
        if low > high:
            continue
        lo, hi = dict(base_lo), dict(base_hi)
        lo[cell], hi[cell] = low, high
        if _solve(eqs, lo, hi, [budget]):
            return True
    return False


def recoverable_cells(grid, mask, cap: int | None = None) -> list:
    grid = np.asarray(grid)
    cap = int(grid.max()) * 2 if cap is None else cap
    return [tuple(map(int, c)) for c in np.argwhere(mask) if not other_value(grid, mask, tuple(c), cap)]


def feasible_range(grid, mask, cell, cap: int | None = None) -> tuple[int, int]:
    """The smallest and largest value ``cell`` can take (binary search on feasibility)."""
    grid = np.asarray(grid)
    cap = int(grid.max()) * 2 if cap is None else cap
    eqs = relations(grid)

    def feasible(low, high):
        lo, hi = {}, {}
        for index in np.ndindex(grid.shape):
            lo[index], hi[index] = (0, cap) if mask[index] else (int(grid[index]),) * 2
        lo[cell], hi[cell] = low, high
        return _solve(eqs, lo, hi, [100_000])

    low, high = 0, int(grid[cell])
    while low < high:  # smallest feasible value
        middle = (low + high) // 2
        if feasible(low, middle):
            high = middle
        else:
            low = middle + 1
    smallest = low
    low, high = int(grid[cell]), cap
    while low < high:  # largest feasible value
        middle = (low + high + 1) // 2
        if feasible(middle, high):
            low = middle
        else:
            high = middle - 1
    return smallest, low
