"""The class regrade: read Gradescope's export, grade every submission, write tables and a report."""

