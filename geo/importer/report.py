"""The import report: what was read, repaired, dropped, renamed and reprojected."""

from __future__ import annotations

from dataclasses import dataclass

from geo.importer.messages import plural
from geo.language import Language
from geo.units.crs import WGS84


@dataclass(frozen=True)
class ImportReport:
    """What happened while a file was imported (plain data: it crosses the worker boundary).

    Attributes
    ----------
    source_name
        The file name as shown to the user (base name only).
    format
        The :attr:`ImportFormat.id <geo.importer.formats.ImportFormat.id>` of the file, e.g.
        ``"gpkg"``.
    layer
        GeoPackage table, KML layer or shapefile name read; ``None`` for single-layer formats.
    features_read
        Features (rows) found in the file.
    features_kept
        Features in the returned frame.
    repaired
        Invalid geometries made valid.
    dropped_empty
        Null or empty geometries dropped, including invalid ones that collapsed when repaired.
    source_crs
        The file's CRS, e.g. ``"EPSG:3035"``.
    reprojected
        Whether coordinates were transformed to EPSG:4326.
    warnings
        One sentence each: assumptions made and choices the user may want to change.
    layer_kind
        What a layer of this format is called in the summary ("table", "layer", "shapefile").
    """

    source_name: str
    format: str
    layer: str | None
    features_read: int
    features_kept: int
    repaired: int
    dropped_empty: int
    source_crs: str
    reprojected: bool
    warnings: tuple[str, ...] = ()
    layer_kind: str = "layer"

    def summary(self, lang: Language | None = None) -> str:
        """One human paragraph describing the import.

        Parameters
        ----------
        lang
            The language to write it in (English, as before, when not given).

        Returns
        -------
        str
            E.g. "Read 120 features from hazards.gpkg (table 'areas'); repaired 2 invalid
            geometries; dropped 1 empty geometry; reprojected from EPSG:3035 to EPSG:4326."
        """
        if lang is not None:
            return self._summary_in(lang)
        head = f"Read {plural(self.features_read, 'feature')} from {self.source_name}"
        if self.layer is not None:
            head += f" ({self.layer_kind} '{self.layer}')"
        parts = [head]
        if self.repaired:
            parts.append(f"repaired {plural(self.repaired, 'invalid geometry', 'geometries')}")
        if self.dropped_empty:
            parts.append(f"dropped {plural(self.dropped_empty, 'empty geometry', 'geometries')}")
        if self.reprojected:
            parts.append(f"reprojected from {self.source_crs} to {WGS84}")
        text = "; ".join(parts) + "."
        return " ".join([text, *self.warnings])

    def _summary_in(self, lang: Language) -> str:
        head = lang.ntr(
            "Read {n} feature from {name}",
            "Read {n} features from {name}",
            self.features_read,
            name=self.source_name,
        )
        if self.layer is not None:
            head += lang.tr(
                " ({kind} '{layer}')", kind=lang.gettext(self.layer_kind), layer=self.layer
            )
        parts = [head]
        if self.repaired:
            parts.append(
                lang.ntr(
                    "repaired {n} invalid geometry",
                    "repaired {n} invalid geometries",
                    self.repaired,
                )
            )
        if self.dropped_empty:
            parts.append(
                lang.ntr(
                    "dropped {n} empty geometry",
                    "dropped {n} empty geometries",
                    self.dropped_empty,
                )
            )
        if self.reprojected:
            parts.append(
                lang.tr(
                    "reprojected from {source} to {target}", source=self.source_crs, target=WGS84
                )
            )
        text = "; ".join(parts) + "."
        return " ".join([text, *(lang.phrase(w) for w in self.warnings)])
