"""The layer catalogue: layer records, their styles, builders and the facts they draw on."""
