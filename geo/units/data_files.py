"""Where the committed data lives (the one definition of the ``data/`` folder)."""

from __future__ import annotations

from pathlib import Path

#: The repository's ``data/`` folder, resolved from this file, never the working directory.
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
#: The built first-level units of Ukraine (see ``scripts/build_data.py``).
OBLASTS_FILE = "ua_oblasts.geojson"
#: Ukraine's hromadas from OpenStreetMap (ODbL; see ``scripts/build_data.py --osm-extract``).
HROMADAS_FILE = "ua_hromadas.geojson.gz"
#: Every hromada of the official KATOTTG codifier (code and name, Crimea's and the shapeless
#: ones included): what a name join checks ambiguity against (``scripts/build_data.py``).
CODIFIER_HROMADAS_FILE = "ua_codifier_hromadas.csv"
#: Hromadas whose name in an earlier edition of the codifier differs from today's (former
#: names; ``scripts/build_data.py --earlier-codifier``).
FORMER_NAMES_FILE = "ua_hromada_former_names.csv"
#: Checksums, sources and licences of the built geometry files.
MANIFEST_FILE = "manifest.json"
