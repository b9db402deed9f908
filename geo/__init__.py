"""Pure geospatial logic: CRS policy, base geography, borders, belts, facts and status."""
