#!/usr/bin/env bash
# setup.sh and run_autograder for real, as Gradescope runs them, in clean Debian roots.
#
#   bash tests/container/check_setup.sh [--suite bookworm|trixie]... [--setup FILE] [--without-key] [--keep]
#
# For each suite (default: bookworm and trixie, i.e. Debian 12 with Python 3.11 and Debian 13
# with Python 3.13; both refuse `pip install` into the system Python, PEP 668, as Ubuntu 24.04
# does), it:
#   1. makes the zip with `autograder build rubric/hw5.yaml` (which grades every sample in it);
#   2. copies a minimal Debian root (made once with debootstrap and kept in $AUTOGRADER_ROOTS,
#      default /var/cache/hw-autograder/roots) and unpacks the zip to /autograder/source in it;
#   3. runs setup.sh there with chroot, as root, in a bare environment, with no apt-get update
#      beforehand: the root has no python3 at all;
#   4. checks that the virtual environment holds only what grading needs (with --without-key: and
#      the authoring tools) and that the system python3 was left alone;
#   5. grades each of SAMPLES as Gradescope would, in a fresh /autograder/{submission,results},
#      with /autograder/run_autograder started in /autograder, and compares results.json with the
#      sample's expected.json.
# It prints a transcript and exits 0 only if every step passed on every suite. Gradescope's own
# image (Ubuntu 22.04, Python 3.10) cannot be made here: Ubuntu's mirrors are out of reach.
#
# --setup FILE  runs FILE as the zip's setup.sh (e.g. an older one: `git show REV:setup.sh`).
# --without-key deletes the zip's compiled key before setup.sh runs: setup.sh must then install the
#               authoring tools and compile it (a zip not made by `autograder build`).
# --keep        keeps each suite's work folder (its root, with /autograder) and says where.
# Needs root (debootstrap, chroot, mount), Debian's mirror and PyPI; PYTHON (default .venv/bin/python)
# must have the authoring tools, to build the zip. This workplace re-signs TLS: when PIP_CERT is set,
# its file is copied into the root and PIP_CERT passed to setup.sh (Gradescope needs nothing like it).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
python="${PYTHON:-.venv/bin/python}"
roots="${AUTOGRADER_ROOTS:-/var/cache/hw-autograder/roots}"
mirror="http://deb.debian.org/debian"
rubric="rubric/hw5.yaml"
SAMPLES=(01-canonical-full-credit 18-late-1-day-channels-last)

suites=() setup_override="" keep=0 without_key=0
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suites+=("$2"); shift 2 ;;
    --setup) setup_override="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --keep) keep=1; shift ;;
    --without-key) without_key=1; shift ;;
    *) echo "usage: $0 [--suite bookworm|trixie]... [--setup FILE] [--without-key] [--keep]" >&2; exit 2 ;;
  esac
done
[ "${#suites[@]}" -gt 0 ] || suites=(bookworm trixie)

started=$SECONDS
step() { printf '\n=== [%3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() { echo "check_setup: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, mount)"
for tool in debootstrap unzip; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    step "installing $tool"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  fi
done

work=$(mktemp -d /tmp/check-setup.XXXXXX)
mounted=()
cleanup() {
  for mount_point in "${mounted[@]}"; do umount "$mount_point" 2>/dev/null || true; done
  if [ "$keep" -eq 0 ]; then rm -rf --one-file-system "$work"; fi  # never into a mount left behind
}
trap cleanup EXIT

step "building the zip: $python -m autograder build $rubric"
"$python" -m autograder build "$rubric" -o "$work/dist"
zip="$work/dist/$(basename "$rubric" .yaml)-autograder.zip"

for suite in "${suites[@]}"; do
  if [ ! -d "$roots/$suite" ]; then
    step "$suite: making a minimal root with debootstrap (kept in $roots/$suite)"
    mkdir -p "$roots"
    rm -rf "$roots/$suite.partial"
    debootstrap --variant=minbase "$suite" "$roots/$suite.partial" "$mirror" > "$work/debootstrap-$suite.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap-$suite.log"; fail "debootstrap $suite"; }
    mv "$roots/$suite.partial" "$roots/$suite"
  fi
  root="$work/$suite"
  step "$suite: a fresh copy of the root (Debian $(cat "$roots/$suite/etc/debian_version")), the zip unpacked to /autograder/source"
  cp -a "$roots/$suite" "$root"
  [ ! -e "$root/usr/bin/python3" ] || fail "$suite: the clean root already has python3"
  mkdir -p "$root/autograder/source"
  unzip -q "$zip" -d "$root/autograder/source"
  if [ "$without_key" -eq 1 ]; then
    echo "deleting the zip's compiled key"
    rm "$root/autograder/source/rubric/$(basename "$rubric" .yaml).key.json"
  fi
  if [ -n "$setup_override" ]; then
    echo "replacing the zip's setup.sh with $setup_override"
    install -m 0755 "$setup_override" "$root/autograder/source/setup.sh"
  fi
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc" && mounted+=("$root/proc")
  environment=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root)
  if [ -n "${PIP_CERT:-}" ]; then
    mkdir -p "$root/opt/host-ca"
    cp "$PIP_CERT" "$root/opt/host-ca/ca.pem"
    environment+=(PIP_CERT=/opt/host-ca/ca.pem)
  fi

  step "$suite: bash /autograder/source/setup.sh (chroot, as root)"
  setup_started=$SECONDS
  if ! chroot "$root" "${environment[@]}" bash -c 'cd /autograder/source && bash ./setup.sh'; then
    fail "$suite: setup.sh exited with an error after $((SECONDS - setup_started)) s"
  fi
  echo "setup.sh took $((SECONDS - setup_started)) s"

  step "$suite: what setup.sh installed"
  # Only a key compiled here needs the authoring tools (the [author] extra of pyproject.toml).
  expected="[]"
  [ "$without_key" -eq 0 ] || expected="['numpy', 'sympy', 'jsonschema']"
  chroot "$root" "${environment[@]}" EXPECTED="$expected" bash -c '
    set -e
    venv=/autograder/source/.venv/bin/python
    echo "venv: $($venv --version)"
    $venv -c "
import importlib.util, sys
extras = [m for m in (\"numpy\", \"sympy\", \"jsonschema\", \"tqdm\", \"matplotlib\") if importlib.util.find_spec(m)]
print(\"modules of the optional extras the venv can import:\", extras, \"(expected: $EXPECTED)\")
sys.exit(str(extras) != \"$EXPECTED\")"
    if python3 -c "import yaml" 2>/dev/null; then echo "the system python3 can import yaml: setup.sh installed into it"; exit 1; fi
    echo "system python3 ($(python3 --version)) left alone: it cannot import yaml"
  ' || fail "$suite: the installation is not what grading needs"

  cp "$root/autograder/source/run_autograder" "$root/autograder/run_autograder"
  for sample in "${SAMPLES[@]}"; do
    folder="submissions_samples/hw5/$sample"
    step "$suite: /autograder/run_autograder on $sample"
    rm -rf "$root/autograder/submission" "$root/autograder/results" "$root/autograder/submission_metadata.json"
    cp -a "$folder/submission" "$root/autograder/submission"
    mkdir "$root/autograder/results"
    [ ! -f "$folder/submission_metadata.json" ] || cp "$folder/submission_metadata.json" "$root/autograder/"
    grade_started=$(date +%s%N)
    chroot "$root" "${environment[@]}" bash -c 'cd /autograder && /autograder/run_autograder' > "$work/stdout" 2>&1
    echo "run_autograder took $(( ($(date +%s%N) - grade_started) / 1000000 )) ms; its log (instructors only):"
    sed 's/^/    /' "$work/stdout" | tail -n 4
    "$python" - "$root/autograder/results/results.json" "$folder/expected.json" <<'EOF' || fail "$suite: $sample"
import json, sys
from autograder.authoring.samples import compare
from autograder.grading.results_json import WrittenResult
results, expected = (json.load(open(path, encoding="utf-8")) for path in sys.argv[1:])
problems = compare(WrittenResult.from_json(results), expected)
print(f"score {results.get('score')}, expected {expected['score']}: {'as expected' if not problems else 'MISMATCH'}")
for problem in problems:
    print(f"    {problem}")
sys.exit(1 if problems else 0)
EOF
  done
  umount "$root/proc" && mounted=()
  if [ "$keep" -eq 1 ]; then echo "kept $root"; fi
done
step "all passed: ${suites[*]}"
