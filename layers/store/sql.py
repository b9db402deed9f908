"""The store over SQLAlchemy 2: one implementation, two backends (:class:`Backend`).

Every write is one transaction (``BEGIN IMMEDIATE`` in SQLite, so concurrent writers queue
rather than fail); a process killed mid-save leaves nothing of the save behind because the
database rolls the open transaction back. Names are bound parameters.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Text, cast, delete, func, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from geo.language import N_, Detail, Phrase
from layers.store.cells import box_centres, version_cells
from layers.store.model import (
    STORE_CRS,
    LayerInfo,
    LayerKind,
    NotFoundError,
    StoreInputError,
    StoreUnavailable,
    VersionInfo,
    ViewInfo,
    check_name,
    check_text,
)
from layers.store.schema import (
    CELLS_SCHEMA,
    MIGRATIONS,
    SCHEMA_VERSION,
    Step,
    StoreTables,
    build_tables,
)

#: Features decoded at a time when an upgrade computes the cells of a stored version.
CENTRE_BATCH = 20_000
#: Largest saved view state, bytes of JSON.
MAX_VIEW_STATE_BYTES = 64 * 1024
_SLUG = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_SLUG_BYTES = 6  # token_urlsafe(6): 8 characters


@dataclass(frozen=True)
class Backend:
    """What differs between the embedded and the PostGIS store.

    Parameters
    ----------
    engine
        The SQLAlchemy engine; a connection with execution option ``atlas_write=True`` begins
        a write transaction.
    geometry
        Column type of ``atlas_feature.geom``.
    insert_features
        ``insert_features(conn, version_id, properties, geometries)`` adds a version's features
        inside the open transaction: ``properties`` one JSON object text per feature,
        ``geometries`` the backend's encoding (``None`` for no geometry).
    insert_cells
        ``insert_cells(conn, version_id, rows)`` adds a version's cell counts (``int64`` rows
        ``zoom, cx, cy, count`` of :func:`layers.store.cells.version_cells`) inside the open
        transaction.
    geometry_out
        SQL expression reading the geometry column as the backend's encoding.
    encode, decode
        Shapely geometries ↔ the encoding.
    upsert_layer
        An ``INSERT … ON CONFLICT (name) DO NOTHING`` of the dialect.
    prepare
        Called before the migrations (e.g. to check the PostGIS extension).
    lock
        Called first in the migration transaction (serialises concurrent first opens).
    after_step, after_write
        Backend bookkeeping inside a migration step and a write.
    describe_error
        One sentence for a database error.
    """

    location: str
    engine: Engine
    geometry: TypeEngine[Any]
    insert_features: Callable[[Connection, int, list[str], list[Any]], None]
    insert_cells: Callable[[Connection, int, np.ndarray], None]
    geometry_out: Callable[[ColumnElement[Any]], ColumnElement[Any]]
    encode: Callable[[np.ndarray], list[Any]]
    decode: Callable[[Sequence[Any]], np.ndarray]
    upsert_layer: Callable[[Any, dict[str, Any]], Any]
    prepare: Callable[[Engine], None]
    lock: Callable[[Connection], None]
    after_step: Callable[[Connection, int], None]
    after_write: Callable[[Connection], None]
    describe_error: Callable[[Exception], str]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SqlStore:
    """A :class:`~layers.store.base.Store` over a :class:`Backend`; opens (and migrates) eagerly.

    Raises
    ------
    StoreUnavailable
        The store cannot be reached or read, or has a newer schema version.
    """

    def __init__(self, backend: Backend, *, target_version: int = SCHEMA_VERSION) -> None:
        self._backend = backend
        self._tables: StoreTables = build_tables(backend.geometry)
        with self._guard():
            backend.prepare(backend.engine)
            #: The schema version of the open store (below SCHEMA_VERSION only in upgrade tests).
            self._schema = self._migrate(target_version)

    # -- plumbing -------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """See :meth:`layers.store.base.Store.location`."""
        return self._backend.location

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for work pushed into the database (PostGIS summaries, views)."""
        return self._backend.engine

    @property
    def is_postgis(self) -> bool:
        """Whether this store is PostgreSQL + PostGIS (else the embedded GeoPackage)."""
        return self._backend.engine.dialect.name == "postgresql"

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sa_exc.DBAPIError as error:
            described = self._backend.describe_error(error)
            if isinstance(described, Phrase):  # a sentence with the library's detail in it
                raise StoreUnavailable(described.template, **described.values) from error
            raise StoreUnavailable(described) from error
        except sa_exc.SQLAlchemyError as error:
            raise StoreUnavailable(
                N_("the store at {location} failed: {detail}"),
                location=self.location,
                detail=Detail(str(error).splitlines()[0]),
            ) from error

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._guard(), self._backend.engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        with self._guard(), self._backend.engine.connect() as conn:
            conn.execution_options(atlas_write=True)
            with conn.begin():
                yield conn
                self._backend.after_write(conn)

    def _applied_version(self, conn: Connection) -> int:
        inspector_has = self._backend.engine.dialect.has_table(conn, "atlas_migration")
        if not inspector_has:
            return 0
        value = conn.execute(select(func.max(self._tables.migration.c.version))).scalar()
        return int(value or 0)

    def _check_not_newer(self, current: int) -> None:
        if current > SCHEMA_VERSION:
            raise StoreUnavailable(
                N_(
                    "the store at {location} has schema version {current}, newer than this atlas "
                    "understands ({known}); upgrade the atlas or point it at another store"
                ),
                location=self.location,
                current=current,
                known=SCHEMA_VERSION,
            )

    def _migrate(self, target: int) -> int:
        """Bring the schema to ``target``; an up-to-date store is only read (no write lock).

        Returns the store's schema version afterwards.
        """
        with self._backend.engine.connect() as conn, conn.begin():
            current = self._applied_version(conn)
        self._check_not_newer(current)
        if current >= target:
            return current
        with self._backend.engine.connect() as conn:
            conn.execution_options(atlas_write=True)
            with conn.begin():
                self._backend.lock(conn)
                current = self._applied_version(conn)  # another process may have migrated
                self._check_not_newer(current)
                if current == 0:
                    self._refuse_foreign(conn)
                    self._tables.migration.create(conn)
                for step in range(current + 1, target + 1):
                    MIGRATIONS[step - 1](
                        Step(
                            conn,
                            self._tables,
                            lambda version_id: self._centres(conn, version_id),
                            self._backend.insert_cells,
                        )
                    )
                    self._backend.after_step(conn, step)
                    conn.execute(
                        insert(self._tables.migration).values(
                            version=step, applied_at=datetime.now(UTC)
                        )
                    )
        return max(current, target)

    def _centres(self, conn: Connection, version_id: int) -> tuple[np.ndarray, np.ndarray]:
        """Box centres of one version's geometries, read on ``conn`` in batches (degrees)."""
        t = self._tables
        query = (
            select(self._backend.geometry_out(t.feature.c.geom))
            .where(t.feature.c.version_id == version_id)
            .execution_options(yield_per=CENTRE_BATCH)
        )
        xs, ys = [np.empty(0)], [np.empty(0)]
        for part in conn.execute(query).partitions():
            x, y = box_centres(self._backend.decode([row[0] for row in part]))
            xs.append(x)
            ys.append(y)
        return np.concatenate(xs), np.concatenate(ys)

    def _refuse_foreign(self, conn: Connection) -> None:
        """A new store is created only in an empty file or a database without atlas tables."""
        names = set(self._backend.engine.dialect.get_table_names(conn))
        ours = {t.name for t in self._tables.metadata.sorted_tables}
        if names & ours:
            raise StoreUnavailable(
                N_(
                    "the store at {location} holds atlas tables but no schema version; it was "
                    "left untouched: restore it from a backup or point the atlas at another store"
                ),
                location=self.location,
            )
        if self._backend.engine.dialect.name == "sqlite" and names:
            raise StoreUnavailable(
                N_(
                    "{location} is a database of something else ({count} tables, no atlas "
                    "store); it was left untouched: point ATLAS_STORE at a new file"
                ),
                location=self.location,
                count=len(names),
            )

    def schema_version(self) -> int:
        """See :meth:`layers.store.base.Store.schema_version`."""
        with self._read() as conn:
            return self._applied_version(conn)

    def close(self) -> None:
        """See :meth:`layers.store.base.Store.close`."""
        self._backend.engine.dispose()

    # -- layers ---------------------------------------------------------------------------

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
        """See :meth:`layers.store.base.Store.save_layer`."""
        name = check_name(name, N_("layer name"))
        kind = LayerKind(kind)
        texts = {
            "description": check_text(description, N_("description")),
            "author": check_text(author, N_("author")),
            "licence": check_text(licence, N_("licence/provenance text")),
            "source_file": check_text(source_file, N_("file name")),
        }
        if valid_from is None:
            valid_from = date.today()
        if not isinstance(valid_from, date) or isinstance(valid_from, datetime):
            raise StoreInputError(N_("valid_from must be a calendar date, e.g. 2026-03-01"))
        if not isinstance(frame, gpd.GeoDataFrame):
            raise StoreInputError(N_("only a layer with geometry (a GeoDataFrame) can be stored"))
        if frame.crs is None:
            raise StoreInputError(
                N_("the layer has no coordinate reference system; import it first")
            )
        if not frame.crs.equals(STORE_CRS):
            frame = frame.to_crs(STORE_CRS)
        columns, rows = _properties(frame)
        geometries = np.asarray(frame.geometry.array, dtype=object)
        blobs = self._backend.encode(geometries)
        cells = version_cells(geometries)
        bbox = _bbox(frame)
        saved_at = datetime.now(UTC)
        t = self._tables
        with self._write() as conn:
            conn.execute(
                self._backend.upsert_layer(
                    t.layer,
                    {
                        "name": name,
                        "kind": kind.value,
                        **texts,
                        "created": saved_at,
                        "join_table": join_table,
                        "join_report": join_report,
                    },
                )
            )
            row = conn.execute(
                select(t.layer.c.id, t.layer.c.kind).where(t.layer.c.name == name)
            ).one()
            if row.kind != kind.value:
                raise StoreInputError(
                    N_(
                        "layer {name} is a stored {stored} layer; save this {kind} layer under "
                        "another name"
                    ),
                    name=repr(name),
                    stored=str(row.kind),  # the kinds' codes (import, joined), as listed
                    kind=kind.value,
                )
            changes: dict[str, str | None] = {k: v for k, v in texts.items() if v and k != "author"}
            if kind is LayerKind.JOINED and join_table is not None:
                changes |= {"join_table": join_table, "join_report": join_report}
            if changes:
                conn.execute(update(t.layer).where(t.layer.c.id == row.id).values(**changes))
            version_id = conn.execute(
                insert(t.version)
                .values(
                    layer_id=row.id,
                    valid_from=valid_from,
                    saved_at=saved_at,
                    author=texts["author"],
                    feature_count=len(frame),
                    columns=columns,
                    min_x=bbox[0] if bbox else None,
                    min_y=bbox[1] if bbox else None,
                    max_x=bbox[2] if bbox else None,
                    max_y=bbox[3] if bbox else None,
                )
                .returning(t.version.c.id)
            ).scalar_one()
            # Cells first: a save killed while its features stream in leaves neither behind.
            if self._schema >= CELLS_SCHEMA:
                self._backend.insert_cells(conn, int(version_id), cells)
            self._backend.insert_features(conn, int(version_id), rows, blobs)
        return VersionInfo(
            int(version_id), name, valid_from, saved_at, len(frame), bbox, texts["author"]
        )

    def _layer_row(self, conn: Connection, name: str) -> Any:
        name = check_name(name, N_("layer name"))
        t = self._tables
        row = conn.execute(select(t.layer).where(t.layer.c.name == name)).one_or_none()
        if row is None:
            raise NotFoundError(N_("there is no stored layer named {name}"), name=repr(name))
        return row

    def _layer_infos(self, conn: Connection, where: Any = None) -> list[LayerInfo]:
        t = self._tables
        stats = (
            select(
                t.version.c.layer_id,
                func.count().label("n"),
                func.max(t.version.c.valid_from).label("latest"),
            )
            .group_by(t.version.c.layer_id)
            .subquery()
        )
        query = (
            select(t.layer, stats.c.n, stats.c.latest)
            .join(stats, stats.c.layer_id == t.layer.c.id, isouter=True)
            .order_by(t.layer.c.name)
        )
        if where is not None:
            query = query.where(where)
        return [
            LayerInfo(
                name=r.name,
                kind=LayerKind(r.kind),
                description=r.description,
                author=r.author,
                licence=r.licence,
                source_file=r.source_file,
                created=_utc(r.created),
                versions=int(r.n or 0),
                latest_valid_from=_as_date(r.latest),
                join_table=r.join_table,
                join_report=r.join_report,
            )
            for r in conn.execute(query)
        ]

    def layers(self) -> list[LayerInfo]:
        """See :meth:`layers.store.base.Store.layers`."""
        with self._read() as conn:
            return self._layer_infos(conn)

    def layer(self, name: str) -> LayerInfo:
        """See :meth:`layers.store.base.Store.layer`."""
        with self._read() as conn:
            row = self._layer_row(conn, name)
            return self._layer_infos(conn, self._tables.layer.c.id == row.id)[0]

    def _version_query(self) -> Any:
        t = self._tables
        return select(t.version, t.layer.c.name).join(t.layer, t.layer.c.id == t.version.c.layer_id)

    @staticmethod
    def _version_info(row: Any) -> VersionInfo:
        bbox = None
        if row.min_x is not None:
            bbox = (float(row.min_x), float(row.min_y), float(row.max_x), float(row.max_y))
        return VersionInfo(
            int(row.id),
            row.name,
            _as_date(row.valid_from) or date.min,
            _utc(row.saved_at),
            int(row.feature_count),
            bbox,
            row.author,
        )

    def versions(self, name: str) -> list[VersionInfo]:
        """See :meth:`layers.store.base.Store.versions`."""
        t = self._tables
        with self._read() as conn:
            layer = self._layer_row(conn, name)
            query = (
                self._version_query()
                .where(t.version.c.layer_id == layer.id)
                .order_by(t.version.c.valid_from, t.version.c.id)
            )
            return [self._version_info(r) for r in conn.execute(query)]

    def version_as_of(self, name: str, day: date) -> VersionInfo | None:
        """See :meth:`layers.store.base.Store.version_as_of`."""
        t = self._tables
        with self._read() as conn:
            layer = self._layer_row(conn, name)
            row = conn.execute(
                self._version_query()
                .where(t.version.c.layer_id == layer.id, t.version.c.valid_from <= day)
                .order_by(t.version.c.valid_from.desc(), t.version.c.id.desc())
                .limit(1)
            ).one_or_none()
        return None if row is None else self._version_info(row)

    def read_version(self, version_id: int) -> gpd.GeoDataFrame:
        """See :meth:`layers.store.base.Store.read_version`."""
        t = self._tables
        with self._read() as conn:
            columns = conn.execute(
                select(t.version.c.columns).where(t.version.c.id == int(version_id))
            ).scalar_one_or_none()
            if columns is None:
                raise NotFoundError(N_("there is no stored version {id}"), id=int(version_id))
            result = conn.execute(
                select(
                    cast(t.feature.c.properties, Text),
                    self._backend.geometry_out(t.feature.c.geom),
                )
                .where(t.feature.c.version_id == int(version_id))
                .order_by(t.feature.c.fid)
            ).all()
        # One parse of all the rows' JSON objects (far quicker than one json.loads per row).
        properties = json.loads("[" + ",".join(r[0] for r in result) + "]")
        geometry = self._backend.decode([r[1] for r in result])
        attrs = pd.DataFrame.from_records(properties, columns=list(columns))
        return gpd.GeoDataFrame(
            attrs, geometry=gpd.GeoSeries(geometry, crs=STORE_CRS), crs=STORE_CRS
        )

    def read_layer(
        self, name: str, as_of: date | None = None
    ) -> tuple[VersionInfo, gpd.GeoDataFrame]:
        """See :meth:`layers.store.base.Store.read_layer`."""
        day = as_of or date.today()
        version = self.version_as_of(name, day)
        if version is None:
            first = self.versions(name)[0].valid_from
            raise NotFoundError(
                N_("layer {name} has no version valid on {day}; its first version is valid from "
                   "{first}"),
                name=repr(check_name(name)),
                day=day.isoformat(),
                first=first.isoformat(),
            )  # fmt: skip
        return version, self.read_version(version.id)

    def rename_layer(self, name: str, new_name: str) -> None:
        """See :meth:`layers.store.base.Store.rename_layer`."""
        new_name = check_name(new_name, N_("new layer name"))
        t = self._tables
        try:
            with self._write() as conn:
                row = self._layer_row(conn, name)
                conn.execute(update(t.layer).where(t.layer.c.id == row.id).values(name=new_name))
        except StoreUnavailable as error:
            if isinstance(error.__cause__, sa_exc.IntegrityError):
                raise StoreInputError(
                    N_("a layer named {name} exists already; choose another name"),
                    name=repr(new_name),
                ) from None
            raise

    def delete_layer(self, name: str) -> int:
        """See :meth:`layers.store.base.Store.delete_layer`."""
        t = self._tables
        with self._write() as conn:
            row = self._layer_row(conn, name)
            ids = select(t.version.c.id).where(t.version.c.layer_id == row.id)
            if self._schema >= CELLS_SCHEMA:
                conn.execute(delete(t.cell).where(t.cell.c.version_id.in_(ids)))
            conn.execute(delete(t.feature).where(t.feature.c.version_id.in_(ids)))
            count = conn.execute(delete(t.version).where(t.version.c.layer_id == row.id)).rowcount
            conn.execute(delete(t.layer).where(t.layer.c.id == row.id))
        return int(count)

    # -- views ----------------------------------------------------------------------------

    def save_view(self, name: str, state: dict[str, Any], *, author: str = "") -> ViewInfo:
        """See :meth:`layers.store.base.Store.save_view`."""
        name = check_name(name, N_("view name"))
        author = check_text(author, N_("author"))
        try:
            text = json.dumps(state, allow_nan=False, sort_keys=True)
        except (TypeError, ValueError) as error:
            raise StoreInputError(
                N_("the view's state is not plain JSON data ({detail})"), detail=Detail(str(error))
            ) from None
        if not isinstance(state, dict):
            raise StoreInputError(N_("the view's state must be a mapping of settings"))
        if len(text.encode()) > MAX_VIEW_STATE_BYTES:
            raise StoreInputError(
                N_("the view's state has {count} bytes; the limit is {most}"),
                count=f"{len(text.encode()):,}",
                most=f"{MAX_VIEW_STATE_BYTES:,}",
            )
        created = datetime.now(UTC)
        for _ in range(5):
            slug = secrets.token_urlsafe(_SLUG_BYTES)
            try:
                with self._write() as conn:
                    conn.execute(
                        insert(self._tables.view).values(
                            slug=slug,
                            name=name,
                            state=json.loads(text),
                            author=author,
                            created=created,
                        )
                    )
            except StoreUnavailable as error:
                if isinstance(error.__cause__, sa_exc.IntegrityError):
                    continue
                raise
            return ViewInfo(slug, name, json.loads(text), author, created)
        raise StoreUnavailable(
            N_("the store at {location} found no free view link"), location=self.location
        )

    @staticmethod
    def _view_info(row: Any) -> ViewInfo:
        return ViewInfo(row.slug, row.name, _as_dict(row.state), row.author, _utc(row.created))

    def views(self) -> list[ViewInfo]:
        """See :meth:`layers.store.base.Store.views`."""
        v = self._tables.view
        with self._read() as conn:
            rows = conn.execute(select(v).order_by(v.c.created.desc(), v.c.id.desc()))
            return [self._view_info(r) for r in rows]

    def _check_slug(self, slug: str) -> str:
        if not isinstance(slug, str) or not _SLUG.match(slug):
            raise NotFoundError(N_("there is no saved view {slug}"), slug=repr(str(slug)[:40]))
        return slug

    def view(self, slug: str) -> ViewInfo:
        """See :meth:`layers.store.base.Store.view`."""
        v = self._tables.view
        slug = self._check_slug(slug)
        with self._read() as conn:
            row = conn.execute(select(v).where(v.c.slug == slug)).one_or_none()
        if row is None:
            raise NotFoundError(N_("there is no saved view {slug}"), slug=repr(slug))
        return self._view_info(row)

    def delete_view(self, slug: str) -> None:
        """See :meth:`layers.store.base.Store.delete_view`."""
        v = self._tables.view
        slug = self._check_slug(slug)
        with self._write() as conn:
            if not conn.execute(delete(v).where(v.c.slug == slug)).rowcount:
                raise NotFoundError(N_("there is no saved view {slug}"), slug=repr(slug))


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return dict(value)


def _properties(frame: gpd.GeoDataFrame) -> tuple[list[str], list[str]]:
    """Column names in order and each row's attributes as one JSON object text."""
    attrs = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    attrs.columns = [str(c) for c in attrs.columns]
    if attrs.columns.duplicated().any():
        raise StoreInputError(N_("the layer has two columns of the same name; rename one first"))
    if not len(attrs):
        return list(attrs.columns), []
    if not len(attrs.columns):
        return [], ["{}"] * len(attrs)
    # JSON Lines: a string's own line breaks are escaped, so each line is one row.
    text = attrs.to_json(orient="records", lines=True, date_format="iso", default_handler=str)
    lines = text.rstrip("\n").split("\n")
    if len(lines) != len(attrs):
        raise StoreInputError(N_("the layer's attributes could not be written as JSON rows"))
    return list(attrs.columns), lines


def _bbox(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    geometry = frame.geometry
    present = geometry[~(geometry.isna() | geometry.is_empty)]
    if present.empty:
        return None
    xmin, ymin, xmax, ymax = (float(v) for v in present.total_bounds)
    if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)):
        return None
    return xmin, ymin, xmax, ymax
