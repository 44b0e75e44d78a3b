#!/usr/bin/env python
"""Django's manage.py, the same as the `carepair` command."""

from carepair.cli import main

if __name__ == "__main__":
    main()
