"""Bounds on what a submission may make the grader do.

Student input is hostile until parsed: every reader checks these before it
does work proportional to the input. Each is tested at its boundary
(tests/test_limits.py) and listed in the README's "Robustness" section.
"""

# The submission folder and the answer file.
MAX_ANSWER_FILE_BYTES = 256 * 1024   # bytes read from the one answer file; a bigger file is refused
MAX_FILES_SCANNED = 2000             # files and folders looked at while finding the answer file
MAX_FOLDER_DEPTH = 16                # folders nested deeper are not opened
MAX_TREE_DEPTH = 12                  # nesting of mappings and lists in the answer file
MAX_YAML_NODES = 5000                # keys and values in the answer file (YAML or JSON); YAML aliases: none at all
MAX_SYNTAX_REPAIRS = 20              # syntax slips repaired in one answer file (each one parses the file again)

# One answer.
MAX_ANSWER_CHARS = 4000              # characters of one answer, free text included
MAX_NUMBER_DIGITS = 40               # digits of one number, written out ("9e40" has 41)
MAX_SHAPE_DIMS = 8                   # dimensions of one shape
MAX_MATRIX_ENTRIES = 400             # entries of one matrix (20 x 20)

# One submission, end to end: loading the rubric and key, reading, grading.
# Grading takes milliseconds; this only stops a runaway well inside
# Gradescope's own timeout (10 minutes by default), so that the student gets
# a result saying what happened instead of a bare failure.
MAX_SECONDS_PER_SUBMISSION = 60

# What grading writes: results.json, in UTF-8. Gradescope documents no limit,
# but shows every output in the student's browser; PrairieLearn caps results
# at 100 KiB. Beyond this the longest texts are cut, saying so; scores stay.
MAX_RESULTS_BYTES = 200 * 1024

# A class export for `regrade` (Gradescope's "Export Submissions" zip or folder),
# read like student input: a zip is checked against these before anything is
# extracted, so no decompression bomb can fill the disk.
MAX_EXPORT_MEMBERS = 500_000                    # files and folders in the zip (a class of 10,000 has ~30,000)
MAX_EXPORT_BYTES = 8 * 1024 ** 3                # all members, uncompressed, as declared and as written
MAX_EXPORT_METADATA_BYTES = 256 * 1024 ** 2     # the export's submission_metadata.yml
MAX_EXPORT_METADATA_ENTRIES = 100_000           # submissions listed in it (one per student or group: a class of
                                                # 10,000 has 10,000); beyond, the export is refused as it is read
MAX_EXPORT_METADATA_VALUES = 2000               # keys and values read from one submission's entry in it
MAX_EXPORT_NAME_BYTES = 255                     # a submission's name, in UTF-8: it names a folder of results, and
                                                # file systems refuse longer names (NAME_MAX)
