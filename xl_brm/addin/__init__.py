"""The Excel layer's server-side glue: add-in server, manifest, desktop .xlam builder."""
