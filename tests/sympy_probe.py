"""A `grader` command in a fresh interpreter, reporting whether it imported sympy.

    code = WHETHER_SYMPY.format(args=["grade", ...])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=...)
    done.stderr.split()[-2:]  # ["SYMPY" or "NO-SYMPY", the exit code]
"""

WHETHER_SYMPY = """
import sys
from grader.cli import main
sys.argv = ["grader", *{args!r}]
try:
    main()
except SystemExit as exc:
    code = exc.code
print("SYMPY" if "sympy" in sys.modules else "NO-SYMPY", code, file=sys.stderr)
"""
