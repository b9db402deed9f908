"""Analysis of a user's data against the reference units: table joins and layer summaries."""
