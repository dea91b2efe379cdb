"""``python -m tfp_talent.cli``: runs ``tfp-talent``, exit code from :func:`tfp_talent.cli.main`.

Equivalent to the installed ``tfp-talent`` script, e.g. ``python -m tfp_talent.cli panel --help``.
"""

import sys

from tfp_talent.cli import main

sys.exit(main())
