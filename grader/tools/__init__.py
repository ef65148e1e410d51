"""Maintainer tools run as `python -m grader.tools.<name>`; `import grader` never imports them."""
