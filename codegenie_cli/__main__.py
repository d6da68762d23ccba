"""`python -m codegenie_cli`: the same as `codegenie-cli`."""

from codegenie_cli.main import main

main()
