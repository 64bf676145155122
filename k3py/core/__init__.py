"""Pure helpers every layer shares. Standard library only: no trio, no I/O."""
