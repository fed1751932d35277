"""Bounds on what a submission may make the grader do.

Student input is hostile until parsed: every reader checks these before it
does work proportional to the input.
"""

MAX_ANSWER_FILE_BYTES = 256 * 1024
MAX_FILES_SCANNED = 2000
MAX_TREE_DEPTH = 12
MAX_YAML_NODES = 5000
MAX_ANSWER_CHARS = 4000
MAX_NUMBER_DIGITS = 40
MAX_SHAPE_DIMS = 8
MAX_MATRIX_ENTRIES = 400
