"""Reference geography: countries, Ukraine's oblasts and hromadas, borders, belts, CRS."""
