"""Safe loading and validation of problem specs and submissions."""
