"""One neutral record per dataset (:mod:`record`) and the directory formats generated from it."""
