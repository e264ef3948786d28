"""Make Qt's SVG output draw the same in librsvg (GNOME's viewers) as in Qt.

Qt's SVG generator writes each painter state as a `<g transform="matrix(...)">` around
shapes in the item's own units (data units for plots, a unit circle for a scatter
symbol), and marks a cosmetic pen with `vector-effect="non-scaling-stroke"` so its width
stays in pixels. librsvg ignores that attribute and scales the stroke with the matrix:
a 1 px curve in a plot of 0..1 becomes a band hundreds of pixels thick, and a scatter
point a blob. So for every such shape the matrix is applied to its coordinates here,
which leaves the stroke in document pixels for every renderer; the shapes that do not
ask for a fixed-width stroke (images, text, scaled pens) keep the matrix around them.

Pure Python (xml.etree), no Qt: it works on the bytes QSvgGenerator produced.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
NON_SCALING = "non-scaling-stroke"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_MATRIX = re.compile(r"^\s*matrix\(\s*(" + _NUMBER + ")" + (r"(?:[\s,]+(" + _NUMBER + "))") * 5 + r"\s*\)\s*$")
_PATH_TOKEN = re.compile(r"([A-Za-z])|(" + _NUMBER + r")")
_PAIRED = set("MLCQST")          # absolute commands made only of (x, y) pairs
Matrix = tuple[float, float, float, float, float, float]   # SVG's (a, b, c, d, e, f)


def _tag(name: str) -> str:
    return f"{{{SVG_NS}}}{name}"


def _fmt(v: float) -> str:
    return format(v + 0.0, ".7g")   # + 0.0: no "-0"


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def parse_matrix(text: str | None) -> Matrix | None:
    """(a, b, c, d, e, f) of a `matrix(...)` transform; None for anything else."""
    match = _MATRIX.match(text or "")
    return tuple(float(v) for v in match.groups()) if match else None   # type: ignore[return-value]


def _map_pairs(m: Matrix, text: str) -> str | None:
    """"x,y x,y ..." (polyline points) mapped through m; None when the numbers are odd."""
    nums = [float(v) for v in re.findall(_NUMBER, text)]
    if len(nums) % 2:
        return None
    return " ".join(",".join(map(_fmt, _apply(m, x, y))) for x, y in zip(nums[::2], nums[1::2]))


def _map_path(m: Matrix, d: str) -> str | None:
    """Path data with absolute pair-only commands (what Qt writes) mapped through m."""
    out: list[str] = []
    pending: list[float] = []
    command = ""
    pos = 0
    for match in _PATH_TOKEN.finditer(d):
        if d[pos:match.start()].strip(" ,\t\r\n"):
            return None                        # something that is neither command nor number
        pos = match.end()
        letter, number = match.groups()
        if letter:
            if pending or letter not in _PAIRED | {"Z", "z"}:
                return None                    # relative, H/V/A: leave such a path alone
            command = letter
            out.append(letter)
        elif command in _PAIRED:
            pending.append(float(number))
            if len(pending) == 2:
                out.append(",".join(map(_fmt, _apply(m, *pending))))
                pending = []
        else:
            return None
    return " ".join(out) if not pending and not d[pos:].strip(" ,\t\r\n") else None


def _flatten(el: ET.Element, m: Matrix) -> bool:
    """Apply m to one shape's coordinates in place; False when it cannot be done exactly."""
    name = el.tag.rpartition("}")[2]
    get = el.get
    try:
        if name == "path":
            d = _map_path(m, get("d", ""))
            if d is None:
                return False
            el.set("d", d)
        elif name in ("polyline", "polygon"):
            points = _map_pairs(m, get("points", ""))
            if points is None:
                return False
            el.set("points", points)
        elif name == "line":
            for xa, ya in (("x1", "y1"), ("x2", "y2")):
                x, y = _apply(m, float(get(xa, 0)), float(get(ya, 0)))
                el.set(xa, _fmt(x))
                el.set(ya, _fmt(y))
        elif name == "rect" and not (get("rx") or get("ry")):
            x, y, w, h = (float(get(k, 0)) for k in ("x", "y", "width", "height"))
            corners = [_apply(m, px, py) for px, py in ((x, y), (x + w, y), (x + w, y + h), (x, y + h))]
            el.tag = _tag("path")
            for k in ("x", "y", "width", "height"):
                el.attrib.pop(k, None)
            el.set("d", "M" + " L".join(f"{_fmt(px)},{_fmt(py)}" for px, py in corners) + " Z")
        elif name in ("circle", "ellipse") and m[1] == 0 and m[2] == 0:   # axis-aligned only
            rx = float(get("r", 0)) if name == "circle" else float(get("rx", 0))
            ry = float(get("r", 0)) if name == "circle" else float(get("ry", 0))
            cx, cy = _apply(m, float(get("cx", 0)), float(get("cy", 0)))
            el.tag = _tag("ellipse")
            el.attrib.pop("r", None)
            el.attrib.update(cx=_fmt(cx), cy=_fmt(cy), rx=_fmt(abs(m[0]) * rx), ry=_fmt(abs(m[3]) * ry))
        else:
            return False
    except ValueError:   # a coordinate that is not a number: leave the shape as it was
        return False
    del el.attrib["vector-effect"]   # now in document pixels: the stroke scales with the page
    return True


def _restructure(group: ET.Element, m: Matrix, transform: str) -> None:
    """Flatten the fixed-width shapes of a transformed group; wrap the rest in the matrix."""
    children = list(group)
    if not any(c.get("vector-effect") == NON_SCALING for c in children):
        return
    kept: list[ET.Element] = []
    wrapper: ET.Element | None = None
    for child in children:
        group.remove(child)
        if child.get("vector-effect") == NON_SCALING and _flatten(child, m):
            kept.append(child)
            wrapper = None
            continue
        if wrapper is None:
            wrapper = ET.Element(_tag("g"), {"transform": transform})
            kept.append(wrapper)
        wrapper.append(child)
    del group.attrib["transform"]
    group.extend(kept)


def fix_strokes(svg: bytes) -> bytes:
    """The same picture with no fixed-width stroke inside a scaling transform (see above)."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg)
    for group in list(root.iter(_tag("g"))):   # a list: the loop adds wrapper groups
        m = parse_matrix(group.get("transform"))
        if m is not None:
            _restructure(group, m, group.get("transform"))
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)
