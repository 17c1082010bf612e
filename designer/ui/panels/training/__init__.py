"""The Training dock: settings, Start/Stop, curves, runs, mistakes, health, image folders."""
