"""svg_strokes: fixed-width strokes in a transformed group get device coordinates."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from nnviz.gui.style.svg_strokes import fix_strokes, parse_matrix

NS = "{http://www.w3.org/2000/svg}"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<svg viewBox="0 0 100 100" xmlns="http://www.w3.org/2000/svg"'
        ' xmlns:xlink="http://www.w3.org/1999/xlink"><g fill="none">')


def doc(body: str, transform: str = "matrix(10,0,0,-5,3,50)") -> bytes:
    return (HEAD + f'<g stroke="#f00" stroke-width="2" transform="{transform}">{body}</g></g></svg>').encode()


def only_group(svg: bytes) -> ET.Element:
    root = ET.fromstring(svg)
    return root.find(f"{NS}g").find(f"{NS}g")


def numbers(text: str) -> list[float]:
    return [float(v) for v in text.replace(",", " ").replace("M", " ").replace("L", " ").replace("C", " ")
            .replace("Z", " ").split()]


def test_matrix_parsing():
    assert parse_matrix("matrix(1,0,0,1,53.6,1)") == (1, 0, 0, 1, 53.6, 1)
    assert parse_matrix(" matrix( 2.2725, 0 ,0, -363.166, 53.6, 2e-3 ) ") == (2.2725, 0, 0, -363.166, 53.6, 0.002)
    assert parse_matrix("translate(3)") is None and parse_matrix(None) is None


def test_polyline_path_and_rect_are_mapped_into_device_pixels():
    body = ('<polyline vector-effect="non-scaling-stroke" points="1,1 5,-5 " />'
            '<path vector-effect="non-scaling-stroke" d="M0.5,0 C0.5,0.25 0.25,0.5 0,0.5 L-1e-1,0 Z "/>'
            '<rect vector-effect="non-scaling-stroke" x="0" y="0" width="2" height="4"/>')
    g = only_group(fix_strokes(doc(body)))
    assert "transform" not in g.attrib and g.get("stroke-width") == "2"   # the width stays in pixels
    poly, path, rect = list(g)
    assert numbers(poly.get("points")) == [13, 45, 53, 75]                 # (10x + 3, -5y + 50)
    assert numbers(path.get("d")) == [8, 50, 8, 48.75, 5.5, 47.5, 3, 47.5, 2, 50]
    assert path.get("d").startswith("M") and path.get("d").rstrip().endswith("Z")
    assert rect.tag == f"{NS}path" and numbers(rect.get("d")) == [3, 50, 23, 50, 23, 30, 3, 30]
    assert all("vector-effect" not in el.attrib for el in g)


def test_circles_become_ellipses_under_an_unequal_scale():
    g = only_group(fix_strokes(doc('<circle vector-effect="non-scaling-stroke" cx="3" cy="-3" r="1"/>')))
    (el,) = list(g)
    assert el.tag == f"{NS}ellipse"
    assert [float(el.get(k)) for k in ("cx", "cy", "rx", "ry")] == [33, 65, 10, 5]


def test_what_keeps_its_scale_stays_inside_the_matrix():
    """Images, text, scaled pens and paths it cannot map exactly keep the transform."""
    body = ('<image x="0" y="0" width="1" height="1" xlink:href="data:image/png;base64,AA=="/>'
            '<polyline vector-effect="non-scaling-stroke" points="0,0 1,1" />'
            '<path d="M0,0 L1,1"/>'
            '<path vector-effect="non-scaling-stroke" d="m0,0 l1,1"/>')
    g = only_group(fix_strokes(doc(body)))
    kids = list(g)
    assert [k.tag for k in kids] == [f"{NS}g", f"{NS}polyline", f"{NS}g"]
    assert kids[0].get("transform") == "matrix(10,0,0,-5,3,50)" and kids[0][0].tag == f"{NS}image"
    assert [k.tag for k in kids[2]] == [f"{NS}path", f"{NS}path"]
    assert kids[2][1].get("vector-effect") == "non-scaling-stroke"       # relative path: left alone
    assert kids[2][1].get("d") == "m0,0 l1,1"


@pytest.mark.parametrize("transform", ["matrix(1,0,0,1,0,0)", "translate(4,4)"])
def test_groups_without_fixed_strokes_or_a_matrix_are_untouched(transform):
    svg = doc('<path d="M0,0 L1,1"/>', transform)
    g = only_group(fix_strokes(svg))
    assert g.get("transform") == transform and g[0].get("d") == "M0,0 L1,1"
