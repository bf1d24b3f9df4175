"""``python -m scalar_autograd COMMAND``: the ``scalar-autograd`` command."""

from scalar_autograd.cli import main

raise SystemExit(main())
