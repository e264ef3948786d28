"""The training worker: owns every Trainer in its own QThread (QtCore only, no widgets).

Requests come in as queued slot calls, Snapshots go out as signals; see training.py."""
