"""``python -m scalar_autograd.demos.why_backprop``: the three questions, measured."""

from scalar_autograd.demos.why_backprop.command import main

raise SystemExit(main())
