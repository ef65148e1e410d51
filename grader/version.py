"""The version of grader (its own module, so that a module of the package can read it without
importing the package's lazy API: no import cycle through grader/__init__)."""

__version__ = "0.1.0"
