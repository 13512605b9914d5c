"""Renderers: pure functions from the model (a Build) to Outputs (model.Output: a path inside the output
folder and its bytes)."""
