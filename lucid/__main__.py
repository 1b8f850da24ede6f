"""``python -m lucid`` and the ``lucid`` console script; see ``lucid/cli/``."""

import sys


def main(argv=None) -> int:
    """Runs the ``lucid`` command line on ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    from lucid import cli

    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
