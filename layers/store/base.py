"""The store's interface: what the page and the CLI may ask of any backend."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

import geopandas as gpd

from layers.store.model import LayerInfo, LayerKind, VersionInfo, ViewInfo


class Store(Protocol):
    """A team store of layers (with dated versions) and saved views.

    Every write runs in one transaction: it is wholly kept or, if anything fails (or the process
    dies), wholly absent. Names are text (see :func:`layers.store.model.check_name`), bound as
    parameters, never used as paths or SQL. Geometry is EPSG:4326. Errors: bad input raises
    :class:`~layers.store.model.StoreInputError` (:class:`~layers.store.model.NotFoundError` for
    an unknown name); a store that cannot be used raises
    :class:`~layers.store.model.StoreUnavailable`. Both carry one sentence.
    """

    @property
    def location(self) -> str:
        """Where the store is, for messages (a file path, or a database URL without password)."""
        ...

    def save_layer(
        self,
        name: str,
        frame: gpd.GeoDataFrame,
        *,
        valid_from: date | None = None,
        description: str = "",
        author: str = "",
        licence: str = "",
        source_file: str = "",
        kind: LayerKind = LayerKind.IMPORT,
        join_table: str | None = None,
        join_report: str | None = None,
    ) -> VersionInfo:
        """Save ``frame`` as a new version of layer ``name`` (created if new).

        Parameters
        ----------
        name
            The layer's name.
        frame
            The features; reprojected to EPSG:4326 if in another CRS.
        valid_from
            The date from which this version is the layer (default: today).
        description, author, licence, source_file
            Free text; the layer keeps the latest non-empty description, licence and file name;
            ``author`` is recorded on the version (and on the layer when it is new).
        kind
            Import or joined table; a name keeps its kind.
        join_table, join_report
            Joined layers: the table (JSON records) and the join report (JSON).

        Returns
        -------
        VersionInfo
            The version saved.
        """
        ...

    def layers(self) -> list[LayerInfo]:
        """Every stored layer, by name."""
        ...

    def layer(self, name: str) -> LayerInfo:
        """One stored layer; :class:`NotFoundError` when there is none of that name."""
        ...

    def versions(self, name: str) -> list[VersionInfo]:
        """The versions of a layer, oldest ``valid_from`` first (ties: order of saving)."""
        ...

    def version_as_of(self, name: str, day: date) -> VersionInfo | None:
        """The version valid on ``day``, ``None`` when ``day`` is before the first version.

        That is the latest ``valid_from`` ≤ ``day``; of versions with the same ``valid_from``,
        the last saved.
        """
        ...

    def read_version(self, version_id: int) -> gpd.GeoDataFrame:
        """The features of one version (EPSG:4326, columns in their saved order)."""
        ...

    def read_layer(
        self, name: str, as_of: date | None = None
    ) -> tuple[VersionInfo, gpd.GeoDataFrame]:
        """The version valid on ``as_of`` (default: today) and its features."""
        ...

    def rename_layer(self, name: str, new_name: str) -> None:
        """Rename a layer (all its versions)."""
        ...

    def delete_layer(self, name: str) -> int:
        """Delete a layer with all its versions; returns how many versions were deleted."""
        ...

    def save_view(self, name: str, state: dict[str, Any], *, author: str = "") -> ViewInfo:
        """Save a map view under a new short slug."""
        ...

    def views(self) -> list[ViewInfo]:
        """Every saved view, newest first."""
        ...

    def view(self, slug: str) -> ViewInfo:
        """The view of ``slug``; :class:`NotFoundError` when there is none."""
        ...

    def delete_view(self, slug: str) -> None:
        """Delete a saved view."""
        ...

    def schema_version(self) -> int:
        """The schema version of the store."""
        ...

    def close(self) -> None:
        """Release the store's connections."""
        ...
