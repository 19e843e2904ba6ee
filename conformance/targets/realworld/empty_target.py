"""A target that defines no op at all: a run checks nothing and must not report a pass."""

EXPECTED = "nothing-checked"  # not a rule: the run must end in the 'nothing checked' exit code
