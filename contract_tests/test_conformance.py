"""Every operation in openapi.yaml, fuzzed: every response matches the documented schema and behaviour.

All built-in schemathesis checks run (status codes, content types, headers, schemas with formats,
positive data accepted, negative data rejected, never a 5xx, auth not ignored, ...), plus the suite's
own checks in `checks.py`. Both positive and negative data are generated.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from deployhq_contract import runtime

pytestmark = [pytest.mark.contract_concurrent, pytest.mark.contract_rank(120)]

schema = runtime.schema()


@schema.parametrize()
def test_operation_honours_the_contract(case: Any, http: requests.Session) -> None:
    """Each generated request gets an answer the spec allows, with the promised content."""
    case.call_and_validate(session=http)
