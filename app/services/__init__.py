"""Domain services: the rules of the program, independent of the screens."""
