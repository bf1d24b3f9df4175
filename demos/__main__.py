"""``python -m demos``: the tour (demos/tour.py)."""

from demos.tour import main

if __name__ == "__main__":
    raise SystemExit(main())
