"""Server-process plumbing outside geo/: the C heap and a layer summary in a worker process."""
