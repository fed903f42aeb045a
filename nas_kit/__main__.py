"""``python -m nas_kit``: the command line (nas_kit.cli)."""
from nas_kit.cli import main

raise SystemExit(main())
