"""Region-wide data (checklists, snapshots, rounds, indicators, reports) lives here as it is built."""
