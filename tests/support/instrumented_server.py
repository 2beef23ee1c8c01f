"""`classbridge` with the codec audit installed: `python -m tests.support.instrumented_server serve ...`.

The audit log path comes from CLASSBRIDGE_TEST_CODEC_LOG.
"""

import os
import sys
from pathlib import Path

from tests.support import codec_audit

if __name__ == "__main__":
    codec_audit.install(Path(os.environ["CLASSBRIDGE_TEST_CODEC_LOG"]))
    from signaling.cli import main

    sys.argv[0] = "classbridge"
    sys.exit(main())
