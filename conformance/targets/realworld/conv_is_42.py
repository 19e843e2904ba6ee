"""A target whose conv is not a function (``conv = 42``): nothing can be checked."""

EXPECTED = "nothing-checked"  # not a rule: the run must end in the 'nothing checked' exit code

conv = 42
