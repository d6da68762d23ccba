"""`python -m codegenie_cli`: the same as `codegenie-cli`."""

from codegenie_cli.main import main

# Guarded: a portfolio's worker processes are spawned, and spawning imports the parent's
# `__main__` module again (as `__mp_main__`), which must not start a second CLI (ADR-0061).
if __name__ == "__main__":
    main()
