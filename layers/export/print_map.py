"""A4 landscape print map (PNG or PDF) drawn server-side with GeoPandas and Matplotlib.

Not a screenshot of Leaflet: the layers are drawn again from their frames, in the regional
Lambert azimuthal equal-area projection of :data:`geo.units.crs.EQUAL_AREA` (centre 52°N 28°E),
which
keeps the Baltic states and Ukraine at their true relative sizes. Only ``matplotlib.figure.Figure``
is used (Agg/PDF canvases chosen by ``savefig``), never ``pyplot``, so nothing leaks between
Streamlit sessions sharing the process.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from geo.errors import ExportError
from geo.language import N_, Language, language
from geo.units.crs import EQUAL_AREA, GEOD, WGS84, to_wgs84
from layers import GENERATOR, SAFETY_LINE, __version__
from layers.catalogue.contrast import BASEMAP_STROKE, LAND_COLOR
from layers.catalogue.spec import ViewParams
from layers.catalogue.style import LayerStyle
from layers.drawing.basemaps import SEA_COLOR
from layers.drawing.display import display_geometry
from layers.drawing.emphasis import dim_beneath_choropleth, legend_order
from layers.drawing.layer import MapLayer
from layers.export.frames import check_layers
from layers.export.options import ExportOptions
from layers.export.provenance import export_metadata, sources_line
from layers.safe_text import mathtext_text

#: A4 landscape in inches (297 mm × 210 mm).
A4_LANDSCAPE_IN = (297 / 25.4, 210 / 25.4)
#: Figure-fraction boxes ``[left, bottom, width, height]`` of the map and the legend beside it.
MAP_BOX = (0.025, 0.175, 0.70, 0.725)
LEGEND_BOX = (0.74, 0.175, 0.24, 0.725)
#: Most characters of the layer titles listed in the subtitle (else "N layers (see legend)").
SUBTITLE_TITLES_CHARS = 110
#: Most of a one-panel map's width its scale bar takes (the bar is a 1-2-5 length below it).
SCALE_BAR_SHARE = 0.22
#: The compare view's two panels: the gap between them and the room above each for its date.
PANEL_GAP = 0.012
PANEL_TITLE_HEIGHT = 0.03
#: Leaflet weights are CSS pixels; on paper a thinner stroke reads the same.
WEIGHT_TO_POINTS = 0.6
#: Most source lines printed before the list is cut (the full list is in the data exports).
MAX_SOURCE_LINES = 4
SOURCE_LINE_CHARS = 190
#: Farthest a vertex may lie from the projection centre and still be drawn, in projected metres:
#: 150° of arc (ρ = 2R·sin(75°) in the Lambert azimuthal equal-area projection). Towards the
#: centre's antipode (52°S 152°W) the projection tears, and at it coordinates are infinite.
FAR_SIDE_M = 2 * 6_371_007.0 * math.sin(math.radians(75))
#: The words on the page (English message ids, translated into the view's language).
LEGEND = N_("Legend")
KM = N_("km")
NORTH = N_("N")
SCALE_NOTE = N_("Bar length geodesic at {lat}°N")
SOURCES_HEAD = N_("Sources (licence: ids): {sources}")
SOURCES_CUT = N_(" … (full list in the GeoJSON / GeoPackage metadata)")
AS_OF = N_("As of {date}")
#: The compare view's two dates (left and right panels).
AS_OF_BOTH = N_("As of {date} (left) and {other} (right)")
BELT_DEPTH = N_("belt depth {km} km")
MANY_LAYERS = N_("{n} layers (see legend)")
CREDITS = N_(
    "Map: Lambert azimuthal equal-area (52°N, 28°E); data EPSG:4326. Basemap: Natural Earth "
    "(public domain). Generated {generated} by {generator} {version}."
)


def _nice_length_km(approx_km: float) -> float:
    """The largest 1-2-5 × 10ⁿ length not above ``approx_km`` (km)."""
    exponent = math.floor(math.log10(approx_km))
    for step in (5.0, 2.0, 1.0):
        value = step * 10.0**exponent
        if value <= approx_km:
            return value
    return 10.0**exponent


def _extent(
    frames: Sequence[gpd.GeoDataFrame], aspect: float, fallback: gpd.GeoDataFrame
) -> tuple[float, ...]:
    """Projected bounds of all frames, padded 6 % and widened to the axes' aspect (w/h).

    With nothing drawable in ``frames`` the page still prints, over ``fallback``'s bounds.
    """
    bounds = np.array([f.total_bounds for f in frames if len(f) and not f.is_empty.all()])
    if not len(bounds):
        bounds = np.array([fallback.total_bounds])
    xmin, ymin = bounds[:, 0].min(), bounds[:, 1].min()
    xmax, ymax = bounds[:, 2].max(), bounds[:, 3].max()
    width = max(xmax - xmin, 50_000.0) * 1.12
    height = max(ymax - ymin, 50_000.0) * 1.12
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2


def _feature_colors(frame: gpd.GeoDataFrame, style: LayerStyle) -> list[str]:
    if style.color_column and style.color_column in frame.columns:
        return [style.color_for(v) for v in frame[style.color_column]]
    return [style.default_color] * len(frame)


def _dashes(style: LayerStyle) -> Any:
    if not style.dash_array:
        return "solid"
    parts = [float(p) / 2 for p in style.dash_array.replace(",", " ").split() if p]
    return (0, tuple(parts)) if parts else "solid"


def _draw_layer(ax: Any, layer: MapLayer, frame: gpd.GeoDataFrame) -> None:
    """Draw one projected layer with the colours of its Leaflet style."""
    style = layer.spec.style
    width = max(style.weight * WEIGHT_TO_POINTS, 0.3)
    drawable = ~(frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    colors_arr = np.array(_feature_colors(frame, style), dtype=object)[drawable]
    frame = frame.loc[drawable]
    if frame.empty:
        return
    polygons = frame.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    points = frame.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    lines = ~(polygons | points)
    if polygons.any():
        part = frame.loc[polygons]
        if style.fill and style.fill_opacity > 0:
            faces = [to_rgba(c, style.fill_opacity) for c in colors_arr[polygons]]
            part.plot(ax=ax, facecolor=faces, edgecolor=style.outline_color, linewidth=width * 0.7)
        else:
            # An outline-only layer: the stroke carries the colour, as in its legend.
            part.boundary.plot(
                ax=ax, color=list(colors_arr[polygons]), linewidth=width, linestyle=_dashes(style)
            )
    if lines.any():
        frame.loc[lines].plot(
            ax=ax, color=list(colors_arr[lines]), linewidth=width, linestyle=_dashes(style)
        )
    if points.any():
        frame.loc[points].plot(
            ax=ax, color=list(colors_arr[points]), markersize=20, edgecolor="#222222", linewidth=0.4
        )


def scale_bar_span_m(
    to_lonlat: pyproj.Transformer, x0_m: float, y0_m: float, length_km: float
) -> float:
    """Length in map metres of a horizontal bar that measures ``length_km`` on the ground.

    An equal-area projection is not conformal: its scale depends on the position and on the
    direction (up to a few per cent across this region). So the bar's span is solved for at
    its own position and in its own (horizontal) direction: starting from ``length_km`` × 1000
    map metres, the span is corrected by the ratio of wanted to geodesic (WGS84 ellipsoid)
    ground length between the bar's ends until they agree to 1 m.

    Parameters
    ----------
    to_lonlat
        Transformer from the map projection (metres) to EPSG:4326 (``always_xy``).
    x0_m, y0_m
        The bar's left end in projected metres.
    length_km
        Ground length the bar stands for, in km.

    Returns
    -------
    float
        Span in projected metres from ``(x0_m, y0_m)`` to ``(x0_m + span, y0_m)``.
    """
    wanted_m = length_km * 1000.0
    lon0, lat0 = to_lonlat.transform(x0_m, y0_m)
    span = wanted_m
    for _ in range(8):
        lon1, lat1 = to_lonlat.transform(x0_m + span, y0_m)
        _, _, ground_m = GEOD.inv(lon0, lat0, lon1, lat1)
        if abs(ground_m - wanted_m) < 1.0:
            break
        span *= wanted_m / ground_m
    return span


def _scale_bar(
    ax: Any,
    to_lonlat: pyproj.Transformer,
    extent: tuple[float, ...],
    lang: Language,
    share: float = SCALE_BAR_SHARE,
) -> None:
    """Draw a scale bar whose km length is geodesic at the bar's own position.

    ``share`` is the most of the panel's width the bar may take (a narrower panel gives it
    more, so that its labels keep apart on paper).

    The equal-area projection is true to scale only at its centre (52°N 28°E); elsewhere its
    scale drifts by a few per cent across this region. So the bar is not drawn as "N km = N ×
    1000 projected metres": :func:`scale_bar_span_m` solves for the horizontal span whose two
    ends lie N km apart on the WGS84 ellipsoid, at the bar's own position.
    """
    xmin, xmax, ymin, ymax = extent
    width, height = xmax - xmin, ymax - ymin
    x0, y0 = xmin + 0.04 * width, ymin + 0.05 * height
    _lon0, lat0 = to_lonlat.transform(x0, y0)
    length_km = _nice_length_km(share * width / 1000.0)
    span = scale_bar_span_m(to_lonlat, x0, y0, length_km)
    bar_h = 0.012 * height
    ax.add_patch(
        Rectangle(
            (x0 - 0.01 * width, y0 - 0.035 * height),
            span + 0.04 * width,
            0.075 * height + bar_h,
            facecolor="white",
            edgecolor="none",
            alpha=0.8,
            zorder=20,
        )
    )
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (x0 + i * span / 4, y0),
                span / 4,
                bar_h,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.6,
                zorder=21,
            )
        )
    for fraction in (0.0, 0.5, 1.0):
        value = length_km * fraction
        shown = (
            f"{value:g}"
            if lang.code == "en"
            else lang.number(value, 0 if value.is_integer() else 1)
        )
        label = shown + (" " + lang.gettext(KM) if fraction == 1.0 else "")
        ax.text(
            x0 + fraction * span,
            y0 + bar_h * 1.6,
            label,
            ha="center",
            va="bottom",
            fontsize=7,
            zorder=22,
        )
    ax.text(
        x0,
        y0 - bar_h * 0.6,
        lang.tr(SCALE_NOTE, lat=format(lat0, ".0f")),
        ha="left",
        va="top",
        fontsize=5.5,
        color="#333333",
        zorder=22,
    )


def _north_arrow(
    ax: Any, to_lonlat: pyproj.Transformer, extent: tuple[float, ...], lang: Language
) -> None:
    """Draw an arrow pointing to true north at its own position (meridians converge in LAEA)."""
    xmin, xmax, ymin, ymax = extent
    width, height = xmax - xmin, ymax - ymin
    x0, y0 = xmax - 0.05 * width, ymax - 0.16 * height
    lon0, lat0 = to_lonlat.transform(x0, y0)
    lon1, lat1, _ = GEOD.fwd(lon0, lat0, 0.0, 50_000.0)
    x1, y1 = to_lonlat.transform(lon1, lat1, direction="INVERSE")
    norm = math.hypot(x1 - x0, y1 - y0)
    length = 0.08 * height
    tip = (x0 + (x1 - x0) / norm * length, y0 + (y1 - y0) / norm * length)
    ax.annotate(
        "",
        xy=tip,
        xytext=(x0, y0),
        arrowprops={
            "arrowstyle": "-|>,head_length=0.8,head_width=0.4",
            "color": "black",
            "lw": 1.6,
        },
        zorder=22,
    )
    ax.text(
        tip[0],
        tip[1] + 0.01 * height,
        lang.gettext(NORTH),
        ha="center",
        va="bottom",
        fontsize=11,
        weight="bold",
    )


def _text(layer: MapLayer, text: str, lang: Language) -> str:
    """A catalogue layer's own word in ``lang``; a user's layer keeps its words as given."""
    return text if layer.spec.user else lang.gettext(text)


def _legend(ax: Any, layers: Sequence[MapLayer], lang: Language) -> None:
    """Draw every layer's swatches, top to bottom, in axes-fraction coordinates."""
    rows: list[tuple[str, Any]] = [("heading", lang.gettext(LEGEND))]
    for layer in layers:
        title = _text(layer, layer.spec.title, lang)
        for k, line in enumerate(textwrap.wrap(title, 38) or [layer.spec.id]):
            rows.append(("title" if k == 0 else "title-cont", mathtext_text(line)))
        for entry in layer.spec.legend:
            label = _text(layer, entry.label, lang)
            label_lines = [mathtext_text(x) for x in textwrap.wrap(label, 36) or [""]]
            rows.append(("entry", (layer, entry, label_lines[0])))
            rows.extend(("entry-cont", line) for line in label_lines[1:])
        rows.append(("gap", None))
    step = min(0.034, 0.98 / max(len(rows), 1))
    font = max(5.0, min(8.0, step * 230))
    y = 0.99
    for kind, value in rows:
        if kind == "heading":
            ax.text(0.0, y, value, fontsize=font + 2, weight="bold", va="top")
        elif kind in ("title", "title-cont"):
            ax.text(0.0, y, value, fontsize=font, weight="bold", va="top")
        elif kind == "entry":
            layer, entry, label = value
            cy = y - step * 0.45
            style = layer.spec.style
            if layer.spec.geometry == "point":
                ax.add_line(
                    Line2D(
                        [0.07],
                        [cy],
                        marker="o",
                        markersize=6,
                        color=entry.color,
                        markeredgecolor="#222222",
                        markeredgewidth=0.4,
                        linestyle="none",
                    )
                )
            elif entry.kind == "line" or not style.fill or style.fill_opacity <= 0:
                ax.add_line(
                    Line2D(
                        [0.02, 0.12],
                        [cy, cy],
                        color=entry.color,
                        linewidth=max(style.weight * WEIGHT_TO_POINTS, 1.0),
                        linestyle=_dashes(style),
                    )
                )
            else:
                ax.add_patch(
                    Rectangle(
                        (0.02, cy - step * 0.3),
                        0.10,
                        step * 0.6,
                        facecolor=to_rgba(entry.color, max(style.fill_opacity, 0.35)),
                        edgecolor="#222222",
                        linewidth=0.5,
                    )
                )
            ax.text(0.16, y, label, fontsize=font, va="top")
        elif kind == "entry-cont":
            ax.text(0.16, y, value, fontsize=font, va="top")
        y -= step * (0.5 if kind == "gap" else 1.0)


def _source_lines(metadata: dict[str, Any], lang: Language) -> list[str]:
    lines = textwrap.wrap(
        lang.tr(SOURCES_HEAD, sources=sources_line(metadata)),
        SOURCE_LINE_CHARS,
        break_on_hyphens=False,
        max_lines=MAX_SOURCE_LINES,
        placeholder=lang.gettext(SOURCES_CUT),
    )
    return [mathtext_text(line) for line in lines]


def _drawn_frame(layer: MapLayer) -> tuple[gpd.GeoDataFrame, int]:
    """The layer with its display geometry (as on the web map), in the print projection.

    Returns
    -------
    tuple of (GeoDataFrame, int)
        The drawable features (EQUAL_AREA metres) and how many were left out because a
        vertex lies beyond :data:`FAR_SIDE_M` from the centre (or projects to infinity).
    """
    frame = to_wgs84(layer.frame, name=layer.spec.title)
    frame = gpd.GeoDataFrame(
        frame.drop(columns=frame.geometry.name), geometry=display_geometry(layer), crs=WGS84
    ).to_crs(EQUAL_AREA)
    coords, index = shapely.get_coordinates(frame.geometry.values, return_index=True)
    with np.errstate(invalid="ignore", over="ignore"):
        radius = np.hypot(coords[:, 0], coords[:, 1])
    bad = ~(np.isfinite(radius) & (radius <= FAR_SIDE_M))
    far = np.zeros(len(frame), dtype=bool)
    far[np.unique(index[bad])] = True
    return frame.loc[~far], int(far.sum())


def _far_side_note(
    layers: Sequence[MapLayer], left_out: Sequence[int], lang: Language
) -> str | None:
    parts = [
        lang.ntr(
            "{n} feature of {title}",
            "{n} features of {title}",
            count,
            title=_text(layer, layer.spec.title, lang),
        )
        for layer, count in zip(layers, left_out, strict=True)
        if count
    ]
    if not parts:
        return None
    return lang.tr(
        "Not drawn: {parts} — too far from the map centre (52°N 28°E) for this projection; "
        "every data export keeps them.",
        parts="; ".join(parts),
    )


def _panel_boxes(count: int) -> list[tuple[float, float, float, float]]:
    """Figure-fraction boxes of ``count`` map panels side by side in :data:`MAP_BOX`."""
    left, bottom, width, height = MAP_BOX
    if count == 1:
        return [MAP_BOX]
    # Room above the panels for each one's date.
    height -= PANEL_TITLE_HEIGHT
    each = (width - PANEL_GAP * (count - 1)) / count
    return [(left + i * (each + PANEL_GAP), bottom, each, height) for i in range(count)]


def _draw_panel(
    ax: Any,
    layers: Sequence[MapLayer],
    frames: Sequence[gpd.GeoDataFrame],
    basemap: gpd.GeoDataFrame,
    extent: tuple[float, ...],
) -> None:
    """One map: the basemap and the layers in ``extent`` (projected metres, equal-area)."""
    ax.set_facecolor(SEA_COLOR)
    basemap.plot(ax=ax, facecolor=LAND_COLOR, edgecolor=BASEMAP_STROKE, linewidth=0.35)
    for layer, frame in zip(layers, frames, strict=True):
        _draw_layer(ax, layer, frame)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_linewidth(0.8)


def print_map(
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    options: ExportOptions,
    *,
    fmt: Literal["png", "pdf"] = "png",
) -> bytes:
    """Draw the shown layers as an A4 landscape print map.

    The page holds the title and as-of date, the map (regional Lambert azimuthal equal-area,
    52°N 28°E) with a scale bar and a north arrow, the legend beside the map (never on it),
    the source ids grouped by licence, the generator and the safety line. In the compare view
    the map area holds two panels, one per date.

    Layers are drawn from their display geometry (simplified as on the web map: at A4 the
    2 km tolerance is a fraction of a millimetre). The scale bar's length is geodesic: it is
    measured on the WGS84 ellipsoid due east from the bar's own position and then projected
    (see :func:`_scale_bar`), so it is right at the latitude where it is drawn even though the
    projection's scale drifts away from its centre. The north arrow likewise points along the
    local meridian.

    Parameters
    ----------
    layers
        The shown layers (EPSG:4326 frames), bottom first.
    params
        The view (date, belt depth) printed in the subtitle.
    sources
        ``data/sources.csv`` (``AtlasBase.facts.sources``), for the licences of the cited sources.
    options
        ``basemap_frame`` (required): countries (EPSG:4326) drawn as land under the layers
        (``AtlasBase.basemap``); ``dpi``: PNG resolution (the page is always 297 × 210 mm,
        PDF MediaBox 842 × 595 pt); ``compare``: the compare view's second date, drawn in a
        second panel beside the first (both over the same extent, each titled with its date;
        one legend serves both).
    fmt
        ``"png"`` or ``"pdf"``.

    Returns
    -------
    bytes
        The PNG or PDF file.

    Raises
    ------
    ExportError
        For another ``fmt`` or when no layer is shown. Features the projection cannot draw
        (beyond :data:`FAR_SIDE_M` from its centre) are left out with a note on the page.
    """
    if fmt not in ("png", "pdf"):
        raise ExportError(f"print format {fmt!r} is not supported; choose png or pdf")
    check_layers(layers)
    # A choropleth is drawn opaque over dimmed fills and its legend comes first.
    layers = dim_beneath_choropleth(layers)
    lang = language(params.lang if params is not None else "en")
    dpi = options.dpi
    metadata = export_metadata(layers, params, sources, light=True)
    to_lonlat = pyproj.Transformer.from_crs(EQUAL_AREA, WGS84, always_xy=True)
    basemap = to_wgs84(options.require_basemap(), name="basemap").to_crs(EQUAL_AREA)
    # One panel per date: the view's, and the compare view's second date beside it.
    panels = [(layers, params)]
    if options.compare is not None:
        panels.append((dim_beneath_choropleth(options.compare.layers), options.compare.params))
    drawn = [[_drawn_frame(layer) for layer in panel] for panel, _ in panels]
    far_side_note = _far_side_note(layers, [left_out for _, left_out in drawn[0]], lang)
    boxes = _panel_boxes(len(panels))
    aspect = (boxes[0][2] * A4_LANDSCAPE_IN[0]) / (boxes[0][3] * A4_LANDSCAPE_IN[1])
    # Both panels frame the same extent, so the two dates compare place by place.
    extent = _extent([frame for panel in drawn for frame, _ in panel], aspect, basemap)

    fig = Figure(figsize=A4_LANDSCAPE_IN, dpi=dpi)
    fig.patch.set_facecolor("white")
    for box, (panel, panel_params), frames in zip(boxes, panels, drawn, strict=True):
        ax = fig.add_axes(box)
        _draw_panel(ax, panel, [frame for frame, _ in frames], basemap, extent)
        _scale_bar(ax, to_lonlat, extent, lang, SCALE_BAR_SHARE * len(panels))
        _north_arrow(ax, to_lonlat, extent, lang)
        if len(panels) > 1 and panel_params is not None:
            ax.set_title(
                lang.tr(AS_OF, date=_shown_date(panel_params, lang)), fontsize=10, weight="bold"
            )

    legend_ax = fig.add_axes(LEGEND_BOX)
    legend_ax.set_axis_off()
    legend_ax.set_xlim(0, 1)
    legend_ax.set_ylim(0, 1)
    _legend(legend_ax, legend_order(layers), lang)

    subtitle = []
    if metadata["as_of"] and params is not None and options.compare is not None:
        subtitle.append(
            lang.tr(
                AS_OF_BOTH,
                date=_shown_date(params, lang),
                other=_shown_date(options.compare.params, lang),
            )
        )
    elif metadata["as_of"] and params is not None:
        subtitle.append(lang.tr(AS_OF, date=_shown_date(params, lang)))
    if metadata["belt_km"] is not None:
        belt = float(metadata["belt_km"])
        subtitle.append(lang.tr(BELT_DEPTH, km=lang.number(belt, 0 if belt.is_integer() else 1)))
    titles = "; ".join(_text(layer, layer.spec.title, lang) for layer in layers)
    # What fits on one line beside the dates (the second date takes room too).
    room = SUBTITLE_TITLES_CHARS - (40 if options.compare is not None else 0)
    subtitle.append(titles if len(titles) <= room else lang.tr(MANY_LAYERS, n=len(layers)))
    fig.text(0.025, 0.965, GENERATOR, fontsize=16, weight="bold", va="top")
    fig.text(0.025, 0.925, mathtext_text(" · ".join(subtitle)), fontsize=9.5, va="top")
    y = 0.158
    for line in _source_lines(metadata, lang):
        fig.text(0.025, y, line, fontsize=6.3, va="top", color="#222222")
        y -= 0.018
    fig.text(
        0.025,
        y - 0.003,
        lang.tr(
            CREDITS,
            generated=metadata["generated_at"],
            generator=GENERATOR,
            version=__version__,
        ),
        fontsize=6.3,
        va="top",
        color="#444444",
    )
    if far_side_note:
        fig.text(
            0.025,
            y - 0.024,
            mathtext_text(textwrap.shorten(far_side_note, 230, placeholder=" …")),
            fontsize=7,
            va="top",
            color="#B00000",
        )
    fig.text(
        0.025,
        0.018,
        lang.gettext(SAFETY_LINE),
        fontsize=9,
        weight="bold",
        color="#B00000",
        va="bottom",
    )

    buffer = io.BytesIO()
    if fmt == "png":
        fig.savefig(
            buffer, format="png", dpi=dpi, metadata={"Software": f"{GENERATOR} {__version__}"}
        )
    else:
        fig.savefig(
            buffer,
            format="pdf",
            metadata={
                "Title": f"{GENERATOR} — {metadata['as_of'] or ''}",
                "Creator": GENERATOR,
            },
        )
    return buffer.getvalue()


def _shown_date(params: ViewParams, lang: Language) -> str:
    """The view date: ISO in English (as before), the language's long form otherwise."""
    return params.as_of.isoformat() if lang.code == "en" else lang.date(params.as_of)


__all__ = ["A4_LANDSCAPE_IN", "print_map", "scale_bar_span_m"]
