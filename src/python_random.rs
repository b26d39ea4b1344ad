//! CPython's `random` module, reproduced (work in progress).
