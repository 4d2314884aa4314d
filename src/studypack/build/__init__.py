"""The build: jobs, cache, worker processes, atomic output, progress and watching.

Nothing is imported here, so that a module that needs only the build cache
(artefacts.py) does not load the whole build and the writers with it.
"""
