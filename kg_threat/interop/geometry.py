"""Trust-boundary membership from Threat Dragon geometry.

A boundary box contains the elements whose centre lies inside it. A boundary curve is an open
polyline (source, vertices, target); each element centre is on one side of it (the nearest
segment decides, the end segments extended). The curve splits the elements in two groups: the
smaller group is inside the boundary (it is what the curve fences off); on a tie, the side the
curve bends around. Either way a flow between the two groups crosses the boundary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

Point = tuple[float, float]


def in_box(point: Point, origin: Point, size: Point) -> bool:
    (x, y), (x0, y0), (w, h) = point, origin, size
    return x0 <= x <= x0 + w and y0 <= y <= y0 + h


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _area(points: Sequence[Point]) -> float:
    """Twice the signed area of the polygon the points close."""
    return sum(
        points[i][0] * points[(i + 1) % len(points)][1]
        - points[(i + 1) % len(points)][0] * points[i][1]
        for i in range(len(points))
    )


def _left_normal(a: Point, b: Point) -> Point:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    return (-dy / length, dx / length)


def side(line: Sequence[Point], p: Point) -> int:
    """+1 if ``p`` is left of the polyline (positive cross product), -1 if right, 0 on it."""
    best: tuple[float, float, int] | None = None  # (distance, side value, segment)
    last = len(line) - 2
    for i in range(last + 1):
        a, b = line[i], line[i + 1]
        dx, dy = b[0] - a[0], b[1] - a[1]
        length2 = dx * dx + dy * dy
        if length2 == 0:
            continue
        t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2
        lo = -math.inf if i == 0 else 0.0
        hi = math.inf if i == last else 1.0
        clamped = min(max(t, lo), hi)
        q = (a[0] + clamped * dx, a[1] + clamped * dy)
        distance = math.hypot(p[0] - q[0], p[1] - q[1])
        vertex = i if clamped == 0.0 and t < 0 else i + 1 if clamped == 1.0 and t > 1 else None
        if vertex is not None:
            # nearest to an inner vertex: the mean of the two segments' normals decides
            n1 = _left_normal(line[vertex - 1], line[vertex])
            n2 = _left_normal(line[vertex], line[vertex + 1])
            value = (p[0] - q[0]) * (n1[0] + n2[0]) + (p[1] - q[1]) * (n1[1] + n2[1])
        else:
            value = _cross(a, b, p)
        if best is None or distance < best[0]:
            best = (distance, value, i)
    if best is None or abs(best[1]) < 1e-9:
        return 0
    return 1 if best[1] > 0 else -1


def inside_curve(line: Sequence[Point], centres: Mapping[str, Point]) -> set[str]:
    """Ids of the elements on the inside of an open boundary curve."""
    sides = {ident: side(line, p) for ident, p in centres.items()}
    left = sum(1 for s in sides.values() if s > 0)
    right = sum(1 for s in sides.values() if s < 0)
    if left != right and min(left, right) > 0:
        inner = 1 if left < right else -1
    elif left != right:
        inner = 1 if left > 0 else -1  # everything on one side: it is all inside
    else:
        area = _area(line) if len(line) >= 3 else 0.0
        inner = -1 if area < 0 else 1
    return {ident for ident, s in sides.items() if s == inner}
