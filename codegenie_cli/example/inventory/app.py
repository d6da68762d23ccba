"""A tiny service: the example repository shipped in codegenie (`codegenie-cli example-path`)."""


def main() -> None:
    print("inventory: ok")


if __name__ == "__main__":
    main()
