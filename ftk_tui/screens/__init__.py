"""The monitor's screens: the run list, the run view and the help screen."""
