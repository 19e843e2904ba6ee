"""Evidence that the conformance suite works: the mutant zoo and example adapters."""
