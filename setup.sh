#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built (Ubuntu 22.04,
# Python 3.10). It installs the pinned dependencies from pyproject.toml and
# makes sure each rubric's answer key is compiled, so grading a submission
# never imports sympy. A zip made by `autograder build` already holds its
# key: `compile` then only checks it is current for this code and rewrites
# it (well under a second); it runs the solvers only if the key is stale.
set -euo pipefail
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

apt-get install -y --no-install-recommends python3 python3-pip
python3 -m pip install --no-cache-dir "$source_dir"
for rubric in "$source_dir"/rubric/*.yaml; do
  PYTHONPATH="$source_dir" python3 -m autograder compile "$rubric"
done
