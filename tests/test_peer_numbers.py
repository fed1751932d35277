"""The integer reader on the peers' number cases (tests/data/peer_number_cases.yaml).

349 spellings of one number from PrairieLearn, STACK, Numbas, Isaac Physics
and WeBWorK test suites, and ours, each with our expectation for an integer
part: the exact value, or refused. No case may be read as another value.
"""

from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from autograder.answers.base import Unreadable
from autograder.answers.integer import IntegerAnswer

CASES = yaml.safe_load((Path(__file__).parent / "data" / "peer_number_cases.yaml").read_text(encoding="utf-8"))
READER = IntegerAnswer({})


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}-{case['input'][:30]!r}" for i, case in enumerate(CASES)])
def test_peer_case(case):
    try:
        got = READER.parse(case["input"])
    except Unreadable:
        got = "refused"
    expected = case["expected"] if case["expected"] == "refused" else Fraction(case["expected"])
    assert got == expected, f"{case['input']!r} from {case['source']}: {case.get('note', '')}"
