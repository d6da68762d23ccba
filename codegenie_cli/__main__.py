"""`python -m codegenie_cli`: the same as `codegenie-cli`."""

from codegenie_cli.launch import main

main()
