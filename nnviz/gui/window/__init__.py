"""The main window, its menus and the training bar: where views meet the worker."""
