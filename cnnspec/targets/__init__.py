"""Built-in conformance targets, each a module in the target contract of DESIGN.md."""
