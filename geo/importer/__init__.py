"""Safe import of a user's own geodata file into an EPSG:4326 GeoDataFrame.

Accepted formats (:data:`IMPORT_FORMATS`, one :class:`ImportFormat` record each): GeoJSON,
GeoPackage, zipped Shapefile, KML and CSV with lon/lat or WKT columns. The format is taken from
the extension and must agree with the content.

The importer treats every byte as hostile. Cheap, linear checks run in the server process
(:mod:`~geo.importer.sniff`, :mod:`~geo.importer.archives`); parsing, repair and reprojection
run in a disposable worker process with time, memory and nesting budgets
(:mod:`~geo.importer.worker`, :class:`ImportLimits`), so a hostile file costs its sender one
sentence and nobody else anything. Every failure is an :class:`~geo.errors.ImportRejectedError`
whose message is one sentence that names the file and the fix.

Modules, in the order a file meets them:

* :mod:`~geo.importer.formats` — what each format is (extensions, magic, reader, layers);
* :mod:`~geo.importer.records` — the records passed between the stages;
* :mod:`~geo.importer.limits` — every budget, documented in one place;
* :mod:`~geo.importer.sniff` — extension, content and XML root checks;
* :mod:`~geo.importer.archives` — zip directory, zip-bomb and zip-slip checks, extraction;
* :mod:`~geo.importer.worker` — the isolated worker process;
* :mod:`~geo.importer.geojson`, :mod:`~geo.importer.csv_table`, :mod:`~geo.importer.gdal` —
  the readers;
* :mod:`~geo.importer.crs_files` — a CRS may name only PROJ's own grid files;
* :mod:`~geo.importer.finish` — names, budgets, collections, CRS, repair, validation;
* :mod:`~geo.importer.report`, :mod:`~geo.importer.messages` — what the user reads;
* :mod:`~geo.importer.pipeline` — the public functions below.
"""

from geo.importer.formats import (
    IMPORT_FORMATS,
    format_by_id,
    format_for_filename,
    supported_formats,
    upload_types,
)
from geo.importer.limits import ImportLimits
from geo.importer.messages import display_name
from geo.importer.pipeline import import_bytes, import_path, list_layers
from geo.importer.records import ImportFormat
from geo.importer.report import ImportReport
from geo.importer.sniff import detect_format

__all__ = [
    "IMPORT_FORMATS",
    "ImportFormat",
    "ImportLimits",
    "ImportReport",
    "detect_format",
    "display_name",
    "format_by_id",
    "format_for_filename",
    "import_bytes",
    "import_path",
    "list_layers",
    "supported_formats",
    "upload_types",
]
