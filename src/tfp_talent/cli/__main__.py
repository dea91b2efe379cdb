import sys

from tfp_talent.cli import main

sys.exit(main())
