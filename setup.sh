#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built (Ubuntu 22.04,
# Python 3.10). It installs the pinned dependencies from pyproject.toml and
# compiles the answer key, so grading a submission never imports sympy.
set -euo pipefail
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

apt-get install -y --no-install-recommends python3 python3-pip
python3 -m pip install --no-cache-dir "$source_dir"
for rubric in "$source_dir"/rubric/*.yaml; do
  PYTHONPATH="$source_dir" python3 -m autograder compile "$rubric"
done
