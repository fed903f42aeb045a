"""``python -m nas_kit``: the command line (nas_kit.cli); ``python -m nas_kit student DIR`` writes the
student edition of the notebooks (nas_kit.exercises.edition)."""
import sys

if sys.argv[1:2] == ["student"]:
    from nas_kit.exercises.edition import main
    raise SystemExit(main(sys.argv[2:]))

from nas_kit.cli import main  # noqa: E402

raise SystemExit(main())
