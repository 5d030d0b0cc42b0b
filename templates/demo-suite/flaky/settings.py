"""A module-level setting the order-dependent pair shares, like a cached config object in a real suite."""
MODE = "strict"
