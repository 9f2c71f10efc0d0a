import sys

from treatyx.cli import main

sys.exit(main())
