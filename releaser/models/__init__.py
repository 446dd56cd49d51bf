"""Model components: reading model.yaml and the files it names, hashing, verifying a copy."""
