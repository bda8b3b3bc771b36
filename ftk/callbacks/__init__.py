"""Keras callbacks of ftk."""

from ftk.callbacks.dynamic_sparsity import DynamicSparsity
