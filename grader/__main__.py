"""The `grader` command (`python -m grader`, and the console script installed with the package).

A plain `grader check` is answered by grader.quick without importing click; every other command
line goes to the click CLI (grader.cli), which is imported only then.
"""

from __future__ import annotations

import sys


def main() -> None:
    from .quick import answer

    code = answer(sys.argv[1:])
    if code is None:
        from .cli import main as cli_main

        cli_main()
    sys.exit(code)


if __name__ == "__main__":
    main()
