"""Threat catalogs: the MITRE ATLAS importer and browsing of the bundled catalogs."""
