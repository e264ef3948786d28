"""The Qt side: the window (the only place views meet the worker), the controls that
build Configs, the views that draw Snapshots, and their shared style."""
