"""The sourced facts: fact tables, treaty status, vocabularies, source ids, currency, parties."""
