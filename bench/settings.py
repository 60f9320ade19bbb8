"""The production settings, plus the one knob the benchmark must turn.

``skillreg.settings`` reads every deployment setting from the environment but not yet the
verification rate limit (``SKILLREG_VERIFY_RATE_LIMIT``, 30 a minute per address by
default): at 16 connections from one loopback address the endpoint would answer 429
within a second. This module raises it from the environment and changes nothing else.
"""

import os

from skillreg.settings import *  # noqa: F403

SKILLREG_VERIFY_RATE_LIMIT = int(os.environ.get("SKILLREG_VERIFY_RATE_LIMIT", "30"))
