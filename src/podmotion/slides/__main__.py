"""``python -m podmotion.slides VIDEO``: the cut frames the slides detector finds."""

from .scan import main

raise SystemExit(main())
