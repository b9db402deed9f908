"""Zipped uploads: zip-bomb and zip-slip checks, then extraction under fixed names.

A zip holds shapefiles (one is read; several are layers to choose from) or one dataset of
another accepted format (a GeoPackage, GeoJSON, KML or CSV file: :func:`zipped_dataset`).

* The member count and the size of the zip's central directory are read from its end record
  before the directory is parsed, so a zip of 500,000 members costs a few bytes of reading,
  not seconds and hundreds of MiB (:func:`check_zip_directory`).
* Member-count, uncompressed-size and compression-ratio limits are checked on the directory
  before anything is extracted; members whose path is absolute, contains ``..`` or is a
  symbolic link reject the whole archive.
* Only the chosen shapefile's parts (or the one dataset) are copied, chunk by chunk and never
  beyond their declared size, under fixed names into a folder the import removes afterwards.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from geo.importer.limits import MIB, ImportLimits
from geo.importer.messages import human_size, number, quoted, reject
from geo.language import N_, Phrase

SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
# Members this small cannot be a meaningful bomb; a .dbf padded with blanks legitimately
# compresses far better than 100:1, so the ratio is only judged on larger members.
RATIO_CHECK_MIN_BYTES = MIB
COPY_CHUNK_BYTES = 64 * 1024
#: Central-directory bytes allowed per member: the 46-byte header plus a generous name and
#: extra fields. A directory larger than this for ``max_zip_members`` is refused unparsed.
DIRECTORY_BYTES_PER_MEMBER = 1024
#: The refusal of a zip with too many members (``name``, ``count``, ``limit``).
TOO_MANY_MEMBERS = N_(
    "{name} holds {count} files, more than the limit of {limit}; zip only the shapefile's .shp, "
    ".shx, .dbf and .prj."
)
SHP_MAGIC = b"\x00\x00\x27\x0a"
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_EOCD_SEARCH_BYTES = 22 + 65535


def check_zip_directory(data: bytes, name: str, limits: ImportLimits) -> None:
    """Refuse a zip whose end record declares too many members or too large a directory.

    Parameters
    ----------
    data
        The zip's bytes.
    name
        File name for the message.
    limits
        ``max_zip_members`` is checked.
    """
    at = data.rfind(_EOCD, max(0, len(data) - _EOCD_SEARCH_BYTES))
    if at < 0 or len(data) < at + 22:
        return  # not a zip end record: zipfile reports the damage
    entries, directory_bytes = struct.unpack_from("<xxxxxxxxxxHI", data, at)
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF:
        locator = at - 20
        if locator >= 0 and data[locator : locator + 4] == _EOCD64_LOCATOR:
            (offset,) = struct.unpack_from("<Q", data, locator + 8)
            if offset + 56 <= len(data) and data[offset : offset + 4] == _EOCD64:
                entries, directory_bytes = struct.unpack_from("<QQ", data, offset + 32)
    if entries > limits.max_zip_members:
        reject(TOO_MANY_MEMBERS, name=name, count=f"{entries:,}", limit=str(limits.max_zip_members))
    allowed = limits.max_zip_members * DIRECTORY_BYTES_PER_MEMBER
    if directory_bytes > allowed:
        reject(
            N_(
                "{name} has a zip directory of {size}, more than {members} members need (limit "
                "{limit}); zip only the shapefile's .shp, .shx, .dbf and .prj, with short names."
            ),
            name=name,
            size=human_size(directory_bytes),
            members=str(limits.max_zip_members),
            limit=human_size(allowed),
        )


def checked_members(
    archive: zipfile.ZipFile, name: str, limits: ImportLimits
) -> list[zipfile.ZipInfo]:
    """Every member of ``archive``, after the zip-bomb and zip-slip checks on its directory.

    Parameters
    ----------
    archive
        An open zip (its directory already bounded by :func:`check_zip_directory`).
    name
        File name for messages.
    limits
        Member-count, size and ratio limits.

    Returns
    -------
    list of zipfile.ZipInfo
    """
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        reject(
            TOO_MANY_MEMBERS,
            name=name,
            count=f"{len(members):,}",
            limit=str(limits.max_zip_members),
        )
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        reject(
            N_(
                "{name} would unpack to {size}, over the limit of {limit} (a possible zip bomb); "
                "zip a smaller file."
            ),
            name=name,
            size=human_size(total),
            limit=human_size(limits.max_uncompressed_bytes),
        )
    for member in members:
        if member.file_size >= RATIO_CHECK_MIN_BYTES:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                reject(
                    N_(
                        "{name} has a member compressed {ratio}:1, over the limit of {limit}:1 "
                        "(a possible zip bomb); zip the shapefile again without padding."
                    ),
                    name=name,
                    ratio=number(ratio),
                    limit=number(limits.max_compression_ratio),
                )
        _check_member_path(member, name)
        if member.flag_bits & 0x1:
            reject(
                N_("{name} is password-protected; zip the shapefile again without a password."),
                name=name,
            )
    return members


def check_zip(data: bytes, name: str, limits: ImportLimits) -> list[str]:
    """Run every directory check on an uploaded zip; return its shapefiles' names.

    Parameters
    ----------
    data
        The zip's bytes.
    name
        File name for messages.
    limits
        The budgets.

    Returns
    -------
    list of str
        The shapefile names (``.shp`` stems) in member order, possibly empty.
    """
    check_zip_directory(data, name, limits)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = checked_members(archive, name, limits)
        return [PurePosixPath(m.filename).stem for m in shp_members(members)]


#: The refusal of a zip holding more than one dataset (``name``, ``listed``).
SEVERAL_DATASETS = N_(
    "{name} holds several datasets ({listed}); zip one dataset per file, or upload them "
    "one at a time."
)
#: Extensions of a dataset's sidecar files, ignored beside a shapefile (metadata, tables).
SIDECAR_EXTENSIONS = (".json", ".csv")


def _real_files(members: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """Members that are files, not folders nor macOS resource forks."""
    return [
        m
        for m in members
        if not m.is_dir()
        and "__MACOSX" not in m.filename
        and not PurePosixPath(m.filename).name.startswith("._")
    ]


def zipped_dataset(
    data: bytes, name: str, limits: ImportLimits, extensions: tuple[str, ...]
) -> str | None:
    """Run every directory check on an uploaded zip; return its one non-shapefile dataset.

    Parameters
    ----------
    data
        The zip's bytes.
    name
        File name for messages.
    limits
        The budgets (member count, unpacked size, ratio).
    extensions
        Lower-case extensions (with the dot) of the formats a zip may hold besides a
        shapefile, e.g. ``(".gpkg", ".geojson", ".json", ".kml", ".csv")``.

    Returns
    -------
    str or None
        The member name of the one dataset; ``None`` when the zip holds shapefiles (read as
        today) or nothing readable (the shapefile reader says so).

    Raises
    ------
    ImportRejectedError
        A directory check fails, or the zip holds several datasets (shapefiles beside another
        dataset, or two datasets); ``.json`` and ``.csv`` files beside a shapefile are taken
        for its sidecars and ignored.
    """
    check_zip_directory(data, name, limits)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = checked_members(archive, name, limits)
    shapefiles = shp_members(members)
    datasets = [
        m for m in _real_files(members) if PurePosixPath(m.filename.lower()).suffix in extensions
    ]
    if shapefiles:
        datasets = [
            m
            for m in datasets
            if PurePosixPath(m.filename.lower()).suffix not in SIDECAR_EXTENSIONS
        ]
    if len(datasets) + min(len(shapefiles), 1) > 1:
        found = [*shapefiles[:1], *datasets]
        reject(
            SEVERAL_DATASETS,
            name=name,
            listed=", ".join(quoted(PurePosixPath(m.filename).name) for m in found[:5]),
        )
    return datasets[0].filename if datasets else None


def extract_dataset(
    zip_path: Path, name: str, tmp: Path, member: str, suffix: str, limits: ImportLimits
) -> Path:
    """Check the zip again, then copy its one dataset ``member`` to ``tmp/dataset<suffix>``.

    Parameters
    ----------
    zip_path
        The uploaded zip on disk.
    name
        File name for messages.
    tmp
        Folder to extract into (removed by the caller's owner).
    member
        The member (:func:`zipped_dataset`).
    suffix
        The fixed file's extension, e.g. ``".gpkg"``.
    limits
        The budgets: the copy stops past the member's declared size or the unpacked limit.

    Returns
    -------
    Path
        The extracted file.
    """
    with zipfile.ZipFile(zip_path) as archive:
        members = checked_members(archive, name, limits)
        chosen = next(m for m in members if m.filename == member)
        target = tmp / f"dataset{suffix}"
        _copy_member(archive, chosen, target, limits.max_uncompressed_bytes, name)
    return target


def _check_member_path(member: zipfile.ZipInfo, name: str) -> None:
    """Refuse absolute paths, ``..`` components, drive letters and symbolic links."""
    raw = member.filename.replace("\\", "/")
    parts = PurePosixPath(raw).parts
    shown = member.filename[:60]
    unsafe = (
        raw.startswith("/")
        or re.match(r"^[A-Za-z]:", raw) is not None
        or ".." in parts
        or "\x00" in raw
    )
    if not unsafe:
        root = Path("/atlas-import-root")
        unsafe = not (root / raw).resolve().is_relative_to(root)
    if unsafe:
        reject(
            N_(
                "{name} contains a member with an unsafe path ({path}) that would be written "
                "outside the extraction folder; zip the shapefile's files without folders."
            ),
            name=name,
            path=repr(shown),
        )
    if stat.S_ISLNK(member.external_attr >> 16):
        reject(
            N_(
                "{name} contains a symbolic link ({path}), which is refused; zip the real "
                "shapefile files instead."
            ),
            name=name,
            path=repr(shown),
        )


def shp_members(members: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The ``.shp`` members, skipping macOS resource forks and folders.

    Parameters
    ----------
    members
        A zip's checked members.

    Returns
    -------
    list of zipfile.ZipInfo
    """
    return [m for m in _real_files(members) if m.filename.lower().endswith(".shp")]


def extract_shapefile(
    zip_path: Path, name: str, tmp: Path, layer: str | None, limits: ImportLimits
) -> tuple[Path, str, list[str]]:
    """Check the zip, then copy one shapefile's parts to ``tmp/layer.*``.

    Parameters
    ----------
    zip_path
        The uploaded zip on disk.
    name
        File name for messages.
    tmp
        Folder to extract into (removed by the caller's owner).
    layer
        The shapefile (``.shp`` stem) to extract; ``None`` for the first.
    limits
        The budgets.

    Returns
    -------
    tuple of (Path, str, list of str)
        The extracted ``.shp``, its stem, and the stems of every shapefile in the zip.
    """
    with zipfile.ZipFile(zip_path) as archive:
        members = checked_members(archive, name, limits)
        shapefiles = shp_members(members)
        if not shapefiles:
            reject(
                N_(
                    "{name} contains no shapefile (.shp); zip the .shp, .shx, .dbf and .prj "
                    "files of one layer, or upload GeoJSON instead."
                ),
                name=name,
            )
        stems = [PurePosixPath(m.filename).stem for m in shapefiles]
        if layer is None:
            chosen = shapefiles[0]
        elif layer in stems:
            chosen = shapefiles[stems.index(layer)]
        else:
            listed = ", ".join(quoted(s) for s in stems[:20])
            reject(
                N_("{name} has no shapefile {layer}; choose one of {listed}."),
                name=name,
                layer=quoted(layer),
                listed=listed,
            )
        base = chosen.filename[: -len(".shp")].lower()
        parts = {
            m.filename[len(base) :].lower(): m
            for m in members
            if m.filename.lower().startswith(base)
            and m.filename[len(base) :].lower() in SHAPEFILE_PARTS
        }
        stem = PurePosixPath(chosen.filename).stem
        missing = [p for p in (".shx", ".dbf") if p not in parts]
        shp, prj = quoted(f"{stem}.shp"), quoted(f"{stem}.prj")
        if missing:
            reject(
                N_(
                    "{name} has the shapefile {shp} without its {missing} file(s); zip all "
                    "files of the shapefile together."
                ),
                name=name,
                shp=shp,
                missing=Phrase.make(N_("{first} and {second}"), first=missing[0], second=missing[1])
                if len(missing) == 2
                else missing[0],
            )
        if ".prj" not in parts:
            reject(
                N_(
                    "{name} has the shapefile {shp} but no {prj}, so its coordinate system (CRS) "
                    "is unknown; add the .prj file to the zip, export the shapefile again with a "
                    "CRS set, or upload GeoJSON instead."
                ),
                name=name,
                shp=shp,
                prj=prj,
            )
        budget = limits.max_uncompressed_bytes
        for suffix, member in parts.items():
            budget -= _copy_member(archive, member, tmp / f"layer{suffix}", budget, name)
    target = tmp / "layer.shp"
    with target.open("rb") as handle:
        if handle.read(4) != SHP_MAGIC:
            reject(
                N_("{name} has a {shp} that is not a shapefile; export it again."),
                name=name,
                shp=quoted(stem + ".shp"),
            )
    return target, stem, stems


def _copy_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, dest: Path, budget: int, name: str
) -> int:
    """Stream one member to ``dest`` without trusting its declared size; return bytes written."""
    written = 0
    with archive.open(member) as source, dest.open("xb") as sink:
        for chunk in _chunks(source):
            written += len(chunk)
            if written > member.file_size or written > budget:
                reject(
                    N_(
                        "{name} has a member that unpacks to more than it declares (a possible "
                        "zip bomb); zip the shapefile again."
                    ),
                    name=name,
                )
            sink.write(chunk)
    return written


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    """Read ``source`` in fixed-size chunks."""
    while chunk := source.read(COPY_CHUNK_BYTES):
        yield chunk
