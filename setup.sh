#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04 and
# Python 3.10 by default). tests/container/check_setup.sh runs it in clean Debian 12 and 13 roots.
#
# 1. python3 and its venv module, from apt where missing: Ubuntu and Debian ship venv's pip
#    apart from python3, in python3-venv.
# 2. A virtual environment beside this script, <source>/.venv (run_autograder's default Python),
#    with the autograder installed in it (editable: the code that runs is this folder's) and the
#    base dependencies pinned in pyproject.toml: all that grading imports. Never into the system
#    Python: PEP 668 systems (Ubuntu 24.04, Debian 12 and later) refuse that, and Gradescope's
#    harness runs on it.
# 3. Each rubric's compiled key must be current for this code, so that grading never needs the
#    solvers; checking that needs none of them. A zip made by `autograder build` always holds a
#    current key. A missing or stale key is compiled after installing the authoring extra (numpy,
#    sympy): that works, but takes the image longer to build, so it is announced loudly.
# 4. The code is byte-compiled now, once, rather than by each submission's run.
set -euo pipefail
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$source_dir/.venv"
# The source folder, whatever folder Gradescope starts this in: `python -m` imports from the working folder.
cd "$source_dir"

say() { echo "setup.sh: $*"; }

missing=()
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if command -v dpkg-query >/dev/null 2>&1 && ! dpkg-query -W -f '${Status}' python3-venv 2>/dev/null | grep -q 'ok installed'; then
  missing+=(python3-venv)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup.sh: error: this image lacks ${missing[*]} and has no apt-get to install it: choose an Ubuntu or Debian base image" >&2
    exit 1
  fi
  say "installing ${missing[*]} with apt-get"
  # The image's package lists may be older than the mirror's files: refresh them first.
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

say "creating $venv with $(python3 --version)"
python3 -m venv "$venv"
python="$venv/bin/python"
pip=("$python" -m pip install --no-cache-dir --disable-pip-version-check)
say "installing the autograder and what grading needs"
"${pip[@]}" -e "$source_dir"

shopt -s nullglob
rubrics=(rubric/*.yaml)
shopt -u nullglob
if [ "${#rubrics[@]}" -eq 0 ]; then
  echo "setup.sh: error: no rubric in $source_dir/rubric/: upload a zip made by \`autograder build\`" >&2
  exit 1
fi
stale=()
for rubric in "${rubrics[@]}"; do
  "$python" -m autograder compile --check "$rubric" || stale+=("$rubric")
done
if [ "${#stale[@]}" -gt 0 ]; then
  echo "setup.sh: ************************************************************************"
  echo "setup.sh: WARNING: the compiled key of ${stale[*]} is missing or stale for this code."
  echo "setup.sh: Installing the authoring tools (numpy, sympy) to compile it here. A zip made"
  echo "setup.sh: by \`autograder build\` always holds a current key: upload one of those."
  echo "setup.sh: ************************************************************************"
  "${pip[@]}" -e "${source_dir}[author]"
  for rubric in "${stale[@]}"; do
    "$python" -m autograder compile "$rubric"
    "$python" -m autograder compile --check "$rubric"
  done
fi

"$python" -m compileall -q autograder reference
say "ready: run_autograder grades with $("$python" --version) in $venv, which holds:"
"$python" -m pip list --format=freeze --disable-pip-version-check
